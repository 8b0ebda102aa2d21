import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisRevocationStores } from 'nestjs-jwt-revocation/redis';
import type { SessionRecord } from 'nestjs-jwt-revocation';
import { startOwnRedis } from './support/redis-server';

const HOUR = 3_600_000;

interface Token {
  userId: string;
  version: number;
  sessionId?: string;
}

/** What the module's checker does with a token: current version must equal it, and its session be live. */
async function accepted(stores: RedisRevocationStores, token: Token): Promise<boolean> {
  const current = await stores.versions.getVersion(token.userId);
  if (current === null || current !== token.version) return false;
  if (token.sessionId === undefined) return true;
  const session = await stores.sessions.find(token.sessionId);
  return session !== null && session.revokedAt === null && session.userId === token.userId;
}

function sessionFor(userId: string): SessionRecord {
  const now = Date.now();
  return {
    id: randomUUID(), userId, family: randomUUID(), refreshHash: 'a'.repeat(64), previousRefreshHash: null, generation: 0, tokenVersion: 0,
    createdAt: now, lastUsedAt: now, rotatedAt: now, expiresAt: now + 24 * HOUR, idleExpiresAt: now + HOUR, userAgent: null, ip: null, revokedAt: null, revokeReason: null,
  };
}

describe('Redis stores when Redis loses its data', () => {
  let redis: Awaited<ReturnType<typeof startOwnRedis>>;
  let admin: Redis;

  beforeAll(async () => {
    redis = await startOwnRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  it('accepts not one revoked token when FLUSHALL hits mid-traffic, refuses every older token, logs the loss, and serves new ones', async () => {
    const errors: string[] = [];
    const logSpy = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
    const stores = new RedisRevocationStores({ connection: redis.url, keyPrefix: 'flush', tokenLifetimeSeconds: 900 });
    await stores.start();
    try {
    const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    const revoked: Token[] = [];
    const issuedBeforeLoss: Token[] = [];

    for (const userId of users) {
      const session = sessionFor(userId);
      await stores.sessions.create(session);
      const stale = { userId, version: (await stores.versions.getVersion(userId))! };
      await stores.versions.incrementVersion(userId); // logout-all: `stale` is revoked
      revoked.push(stale);
      const current = { userId, version: (await stores.versions.getVersion(userId))!, sessionId: session.id };
      if (Number(userId.split('-')[1]) % 2 === 0) {
        await stores.sessions.revoke(userId, [session.id], 'logout', Date.now()); // logout: `current` is revoked too
        revoked.push(current);
      }
      issuedBeforeLoss.push(current);
    }
    for (const token of issuedBeforeLoss.filter((t) => !revoked.includes(t))) expect(await accepted(stores, token)).toBe(true);

    const revokedBeforeTraffic = [...revoked];
    let flushedAt = 0;
    let checksAfterFlush = 0;
    const acceptedRevoked: Token[] = [];
    const deadline = Date.now() + 1500;
    const traffic = async (worker: number) => {
      for (let i = 0; Date.now() < deadline; i++) {
        // Half the checks replay a token revoked before the traffic, half any revoked so far.
        const pool = i % 2 === 0 ? revokedBeforeTraffic : revoked;
        const token = pool[Math.floor(Math.random() * pool.length)];
        if (await accepted(stores, token)) acceptedRevoked.push(token);
        if (flushedAt > 0) checksAfterFlush++;
        if (i % 5 === 0) {
          // More logouts in flight around the flush, on other users so the quiet ones' counters stay
          // where the loss left them: the token read just before each is revoked by it.
          const userId = `busy-${(worker + i) % 5}`;
          const before = { userId, version: (await stores.versions.getVersion(userId))! };
          await stores.versions.incrementVersion(userId);
          revoked.push(before);
        }
      }
    };
    const flush = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await admin.flushall();
      flushedAt = Date.now();
    })();
    await Promise.all([flush, ...Array.from({ length: 8 }, (_, worker) => traffic(worker))]);

    expect(flushedAt).toBeGreaterThan(0);
    expect(checksAfterFlush).toBeGreaterThan(100);
    expect(acceptedRevoked).toEqual([]);
    for (const token of [...revoked, ...issuedBeforeLoss]) expect(await accepted(stores, token)).toBe(false);
    expect(errors.filter((line) => line.includes('Redis lost the revocation data'))).toHaveLength(1);

    // After the loss the service goes on: a fresh sign-in gets a token that is accepted, and a logout still revokes it.
    const session = sessionFor('user-0');
    await stores.sessions.create(session);
    const fresh = { userId: 'user-0', version: (await stores.versions.getVersion('user-0'))!, sessionId: session.id };
    expect(await accepted(stores, fresh)).toBe(true);
    await stores.versions.incrementVersion('user-0');
    expect(await accepted(stores, fresh)).toBe(false);

    } finally {
      logSpy.mockRestore();
      await stores.close();
    }
  });

  it('gives every key a lifetime: counters the token lifetime or the end of a session bound to them, sessions their end plus it', async () => {
    const stores = new RedisRevocationStores({ connection: redis.url, keyPrefix: 'ttl', tokenLifetimeSeconds: 900 });
    await stores.start();
    await stores.versions.incrementVersion('u1');
    const versionTtl = await admin.pttl('{ttl}:v:u1');
    expect(versionTtl).toBeGreaterThan(899_000);
    expect(versionTtl).toBeLessThanOrEqual(900_000);
    const session = sessionFor('u1');
    await stores.sessions.create(session);
    expect(await admin.pexpiretime(`{ttl}:s:${session.id}`)).toBe(session.expiresAt + 900_000);
    expect(await admin.pttl('{ttl}:u:u1')).toBeGreaterThan(0);
    expect(await admin.pttl(`{ttl}:f:${session.family}`)).toBeGreaterThan(0);
    // The counter now lives as long as the session's key; later reads and increments never shorten it.
    expect(await admin.pexpiretime('{ttl}:v:u1')).toBe(session.expiresAt + 900_000);
    await stores.versions.incrementVersion('u1');
    await stores.versions.getVersion('u1');
    expect(await admin.pexpiretime('{ttl}:v:u1')).toBe(session.expiresAt + 900_000);
    await stores.close();
  });

  it('never lets a counter expire back to an older version while a session bound to that version lives', async () => {
    // A 1 s token lifetime and a session that lives 3 s: the version raised after the sign-in
    // must still read as raised when the token lifetime has long passed.
    const stores = new RedisRevocationStores({ connection: redis.url, keyPrefix: 'bound', tokenLifetimeSeconds: 1 });
    await stores.start();
    try {
      const boundTo = (await stores.versions.getVersion('u1'))!;
      const session = { ...sessionFor('u1'), tokenVersion: boundTo, expiresAt: Date.now() + 3000 };
      await stores.sessions.create(session);
      await stores.versions.incrementVersion('u1'); // e.g. a password change: the session's refresh must stay refused
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await stores.versions.getVersion('u1')).toBe(boundTo + 1);
      expect((await stores.sessions.find(session.id))?.tokenVersion).toBe(boundTo);
    } finally {
      await stores.close();
    }
  });

  it('closes a connection it opened, and leaves an app-given client open', async () => {
    const client = new Redis(redis.url);
    const given = new RedisRevocationStores({ client, keyPrefix: 'own', tokenLifetimeSeconds: 60 });
    await given.start();
    await given.close();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();

    const owned = new RedisRevocationStores({ connection: redis.url, keyPrefix: 'own', tokenLifetimeSeconds: 60 });
    await owned.start();
    await owned.close();
    await expect(owned.versions.getVersion('u')).rejects.toThrow();
  });

  it('refuses to start on a Redis that may evict revocation keys', async () => {
    await admin.config('SET', 'maxmemory-policy', 'volatile-lru'); // our own server, never the shared one
    const stores = new RedisRevocationStores({ connection: redis.url, keyPrefix: 'evict', tokenLifetimeSeconds: 60 });
    await expect(stores.start()).rejects.toThrow(/maxmemory-policy is volatile-lru/);
    await stores.close();
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
  });

  it('rejects options without a client or a usable lifetime', () => {
    expect(() => new RedisRevocationStores({ tokenLifetimeSeconds: 60 })).toThrow(/client or a connection/);
    expect(() => new RedisRevocationStores({ connection: redis.url, tokenLifetimeSeconds: 0 })).toThrow(/tokenLifetimeSeconds/);
  });
});
