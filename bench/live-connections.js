'use strict';
// `node bench/live-connections.js` (after `npm run build`): measures live connections alone
// (bench/src/live-connections.ts, run from source against the built library) and writes its section
// of docs/benchmarks.md. Env: BENCH_REDIS_URL, BENCH_LIVE_ROUNDS (300), BENCH_LIVE_OPEN (10000), BENCH_WRITE_DOCS=0.
const fs = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./lib/paths');
const { cleanup } = require('./lib/processes');
const { recordLiveConnections } = require('./lib/socket-propagation');

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'libs/jwt-revocation/dist/index.js'))) throw new Error('the library is not built: run `npm run build` first');
  await recordLiveConnections({ fromSource: true });
}

main()
  .then(cleanup)
  .catch(async (error) => {
    console.error(error);
    await cleanup();
    process.exitCode = 1;
  });
