'use strict';
// Cross-instance propagation: two instances over Redis, in one child process (bench/src/propagation.ts).
const path = require('node:path');
const { BUILD } = require('./paths');
const { nextMessage, startNode, stop } = require('./processes');
const { settings } = require('./settings');

async function measurePropagation(databaseUrl) {
  const child = startNode(path.join(BUILD, 'propagation.js'), undefined, {
    BENCH_DATABASE_URL: databaseUrl,
    BENCH_REDIS_URL: settings.redisUrl,
    BENCH_SECRET: settings.secret,
    BENCH_REVOCATIONS: String(settings.revocations),
  });
  try {
    const { result } = await nextMessage(child, 'propagation', 300_000);
    return result;
  } finally {
    await stop(child);
  }
}

module.exports = { measurePropagation };
