'use strict';
// The services the bench uses when they are there: Redis, a PostgreSQL database of its own.
const crypto = require('node:crypto');
const { onCleanup } = require('./processes');
const { redact } = require('./settings');

async function redisReachable(url) {
  const { Redis } = require('ioredis');
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Creates `bench_<random>` next to the admin database; dropped when the bench ends. */
async function createPostgresDatabase(adminUrl) {
  if (adminUrl === 'off') return { reason: 'BENCH_POSTGRES_URL=off' };
  const { Client } = require('pg');
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (error) {
    return { reason: `PostgreSQL not reachable at ${redact(adminUrl)} (${error.code ?? error.message})` };
  }
  const name = `bench_${crypto.randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  onCleanup(async () => {
    const dropper = new Client({ connectionString: adminUrl });
    await dropper.connect();
    try {
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await dropper.end();
    }
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString() };
}

async function serverVersions(databases, redisUrl) {
  const versions = {};
  if (databases.postgres) {
    const { Client } = require('pg');
    const client = new Client({ connectionString: databases.postgres });
    await client.connect();
    try {
      versions.PostgreSQL = (await client.query('SHOW server_version')).rows[0].server_version;
    } finally {
      await client.end();
    }
  }
  if (redisUrl !== 'off' && (await redisReachable(redisUrl))) {
    const { Redis } = require('ioredis');
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 0 });
    try {
      const info = await client.info('server');
      versions.Redis = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    } finally {
      client.disconnect();
    }
  }
  return versions;
}

module.exports = { redisReachable, createPostgresDatabase, serverVersions };
