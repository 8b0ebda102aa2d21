import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';

/** A database a suite runs against; `create()` makes a fresh, empty one and `drop()` removes it. */
export interface TestDatabase {
  name: 'sqlite' | 'postgres' | 'mariadb';
  create(): Promise<{ url: string; drop(): Promise<void> }>;
}

const sqlite: TestDatabase = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'jwt-revocation-'));
    return { url: `sqlite:${join(dir, 'test.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

function postgres(adminUrl: string): TestDatabase {
  return {
    name: 'postgres',
    async create() {
      const name = `jwtrev_${randomBytes(6).toString('hex')}`;
      await withPg(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        drop: () => withPg(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
      };
    },
  };
}

function mariadb(adminUrl: string): TestDatabase {
  return {
    name: 'mariadb',
    async create() {
      const name = `jwtrev_${randomBytes(6).toString('hex')}`;
      await withMysql(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return { url: url.toString(), drop: () => withMysql(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name}`)).then(() => undefined) };
    },
  };
}

async function withPg<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function withMysql<T>(url: string, run: (c: Awaited<ReturnType<typeof createConnection>>) => Promise<T>): Promise<T> {
  const connection = await createConnection(url.replace(/^mariadb:/, 'mysql:'));
  try {
    return await run(connection);
  } finally {
    await connection.end();
  }
}

/**
 * SQLite always; PostgreSQL and MariaDB when TEST_POSTGRES_URL / TEST_MARIADB_URL are set.
 * Under CI=true both are required, so a missing URL fails the run instead of skipping.
 */
export function testDatabases(): TestDatabase[] {
  const databases = [sqlite];
  const pgUrl = process.env.TEST_POSTGRES_URL;
  const mariaUrl = process.env.TEST_MARIADB_URL;
  if (process.env.CI === 'true' && (!pgUrl || !mariaUrl)) {
    throw new Error('CI=true needs TEST_POSTGRES_URL and TEST_MARIADB_URL: the PostgreSQL and MariaDB suites must run');
  }
  if (pgUrl) databases.push(postgres(pgUrl));
  if (mariaUrl) databases.push(mariadb(mariaUrl));
  return databases;
}

/** Redis for the multi-instance suite: TEST_REDIS_URL, required under CI=true. */
export function testRedisUrl(): string | undefined {
  const url = process.env.TEST_REDIS_URL;
  if (process.env.CI === 'true' && !url) throw new Error('CI=true needs TEST_REDIS_URL: the Redis suites must run');
  return url;
}

/** The PostgreSQL database factory when configured (required under CI=true by testDatabases()). */
export function postgresDatabase(): TestDatabase | undefined {
  return testDatabases().find((database) => database.name === 'postgres');
}

export type HttpAdapterName = 'express' | 'fastify';

/** Every database on both HTTP platforms. */
export function testMatrix(): Array<{ label: string; database: TestDatabase; adapter: HttpAdapterName }> {
  return testDatabases().flatMap((database) =>
    (['express', 'fastify'] as const).map((adapter) => ({ label: `${database.name} over ${adapter}`, database, adapter })),
  );
}
