'use strict';
// `npm run bench:scale`: how the cost grows with users, sessions and active users. Creates a
// PostgreSQL database (dropped at the end) with 1,000,000 users, 1,000,000 live sessions and
// 3,000,000 ended ones (INSERT ... SELECT generate_series), then measures in one Node process
// (bench/src/scale.ts): cache-miss check latency with the plan, login and refresh throughput (also
// on SQLite), the cache under pressure, memory per cached user, and the purge under traffic.
// Writes the "Scale" section of docs/benchmarks.md. I/O heavy: about 10 minutes, a few GB of disk.
// Settings: SCALE_USERS (1000000), SCALE_ENDED_PER_USER (3), SCALE_SECONDS (5), BENCH_POSTGRES_URL,
// SCALE_NO_BUILD=1 (reuse the last build), BENCH_WRITE_DOCS=0 (print only).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { build, seed } = require('./lib/build');
const { BUILD, REGISTER_PATHS, ROOT } = require('./lib/paths');
const { cleanup, onCleanup } = require('./lib/processes');
const { createPostgresDatabase } = require('./lib/services');
const { settings } = require('./lib/settings');
const { DOCS, withSection } = require('./lib/doc-sections');
const { scaleSection } = require('./lib/scale-report');

function pick(object, keys) {
  return Object.fromEntries(keys.filter((key) => object[key] !== undefined).map((key) => [key, object[key]]));
}

function runScale(pgUrl, sqliteUrl) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=4096', '-r', REGISTER_PATHS, path.join(BUILD, 'scale.js'), pgUrl, sqliteUrl], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', BENCH_SECRET: settings.secret },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`scale.js exited ${code}`))));
  });
}

async function main() {
  const started = Date.now();
  const load = os.loadavg()[0];
  if (process.env.SCALE_NO_BUILD !== '1') build();
  const created = await createPostgresDatabase(settings.postgresAdminUrl);
  if (!created.url) throw new Error(`scale needs PostgreSQL: ${created.reason}`);
  await seed(created.url, 1); // the schema (users, jwt_sessions with its indexes) and user 1
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jwt-revocation-scale-'));
  onCleanup(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const sqliteUrl = `sqlite:${path.join(tmp, 'scale.sqlite')}`;
  await seed(sqliteUrl, 1000);
  const measured = await runScale(created.url, sqliteUrl);
  measured.minutes = (Date.now() - started) / 60_000;
  measured.loadAverage = { start: load, end: os.loadavg()[0] };
  measured.date = new Date().toISOString();
  // SCALE_PARTS re-runs some parts: the others come from the previous full run, each part dated.
  const previousFile = path.join(DOCS, 'benchmarks-scale.json');
  const previous = process.env.SCALE_PARTS && fs.existsSync(previousFile) ? JSON.parse(fs.readFileSync(previousFile, 'utf8')) : undefined;
  const report = previous ? { ...previous, ...pick(measured, ['cache', 'memory', 'purge', 'postgresql', 'sqlite']), rerun: { parts: measured.parts, date: measured.date, minutes: measured.minutes, loadAverage: measured.loadAverage, users: measured.users, endedSessions: measured.endedSessions } } : measured;
  const section = scaleSection(report);
  console.log(section);
  if (settings.writeDocs) {
    fs.writeFileSync(previousFile, `${JSON.stringify(report, null, 2)}\n`);
    const file = path.join(DOCS, 'benchmarks.md');
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\n## Reproduce\n';
    fs.writeFileSync(file, withSection(current, 'scale', section));
    console.log('scale: wrote the Scale section of docs/benchmarks.md');
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanup().finally(() => process.exit(130)));

main()
  .then(cleanup)
  .catch(async (error) => {
    console.error(error);
    await cleanup();
    process.exitCode = 1;
  });
