import { RevocationCache } from './revocation-cache';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RevocationCache', () => {
  describe('LRU bound', () => {
    it('never holds more than maxEntries, whatever is written', () => {
      const cache = new RevocationCache(5, 60_000);
      for (let i = 0; i < 200; i++) {
        if (i % 3 === 0) cache.setSessionOwner(`s${i}`, i % 2 === 0 ? 'owner' : null, cache.currentEpoch());
        else cache.setVersion(`u${i}`, i, cache.currentEpoch());
        expect(cache.size).toBeLessThanOrEqual(5);
      }
      expect(cache.size).toBe(5);
    });

    it('evicts the least recently used entry first', () => {
      const cache = new RevocationCache(3, 60_000);
      const epoch = cache.currentEpoch();
      cache.setVersion('a', 1, epoch);
      cache.setVersion('b', 2, epoch);
      cache.setVersion('c', 3, epoch);
      expect(cache.getVersion('a')).toBe(1); // a is now the most recently used
      cache.setVersion('d', 4, epoch);
      expect(cache.getVersion('b')).toBeUndefined();
      expect([cache.getVersion('a'), cache.getVersion('c'), cache.getVersion('d')]).toEqual([1, 3, 4]);
    });

    it('keeps users and sessions apart even when their ids are equal', () => {
      const cache = new RevocationCache(10, 60_000);
      cache.setVersion('42', 7, cache.currentEpoch());
      cache.setSessionOwner('42', null, cache.currentEpoch());
      expect(cache.getVersion('42')).toBe(7);
      expect(cache.getSessionOwner('42')).toBeNull();
      cache.forgetUser('42');
      expect(cache.getVersion('42')).toBeUndefined();
      expect(cache.getSessionOwner('42')).toBeNull();
    });
  });

  describe('values', () => {
    it('tells "not cached" (undefined) from "no such user" (null) and from version 0', () => {
      const cache = new RevocationCache(10, 60_000);
      expect(cache.getVersion('ghost')).toBeUndefined();
      cache.setVersion('ghost', null, cache.currentEpoch());
      cache.setVersion('zero', 0, cache.currentEpoch());
      expect(cache.getVersion('ghost')).toBeNull();
      expect(cache.getVersion('zero')).toBe(0);
    });

    it('keeps a dead session as null, not as missing', () => {
      const cache = new RevocationCache(10, 60_000);
      cache.setSessionOwner('dead', null, cache.currentEpoch());
      cache.setSessionOwner('live', 'owner', cache.currentEpoch());
      expect(cache.getSessionOwner('dead')).toBeNull();
      expect(cache.getSessionOwner('live')).toBe('owner');
      expect(cache.getSessionOwner('unknown')).toBeUndefined();
    });

    it('forgets an entry after ttlMs', async () => {
      const cache = new RevocationCache(10, 20);
      cache.setVersion('u', 1, cache.currentEpoch());
      expect(cache.getVersion('u')).toBe(1);
      await sleep(60);
      expect(cache.getVersion('u')).toBeUndefined();
    });
  });

  describe('epoch check', () => {
    it('does not store a version read before a user invalidation', () => {
      const cache = new RevocationCache(10, 60_000);
      const readAt = cache.currentEpoch(); // the read starts
      cache.forgetUser('u'); // a revocation lands while the read is in flight
      cache.setVersion('u', 0, readAt); // the stale read returns
      expect(cache.getVersion('u')).toBeUndefined();
    });

    it('does not store a session state read before a session invalidation', () => {
      const cache = new RevocationCache(10, 60_000);
      const readAt = cache.currentEpoch();
      cache.forgetSessions(['s1']);
      cache.setSessionOwner('s1', 'owner', readAt);
      expect(cache.getSessionOwner('s1')).toBeUndefined();
    });

    it('does not store a read that overlapped a clear()', () => {
      const cache = new RevocationCache(10, 60_000);
      const readAt = cache.currentEpoch();
      cache.clear();
      cache.setVersion('u', 3, readAt);
      cache.setSessionOwner('s', 'owner', readAt);
      expect(cache.size).toBe(0);
    });

    it('stores a read that started after the invalidation', () => {
      const cache = new RevocationCache(10, 60_000);
      cache.forgetUser('u');
      const readAt = cache.currentEpoch();
      cache.setVersion('u', 1, readAt);
      expect(cache.getVersion('u')).toBe(1);
    });

    it('advances the epoch on every kind of invalidation, even of an entry it does not hold', () => {
      const cache = new RevocationCache(10, 60_000);
      const epochs = [cache.currentEpoch()];
      cache.forgetUser('nobody');
      epochs.push(cache.currentEpoch());
      cache.forgetSessions([]);
      epochs.push(cache.currentEpoch());
      cache.clear();
      epochs.push(cache.currentEpoch());
      expect(new Set(epochs).size).toBe(4);
    });
  });

  describe('invalidation', () => {
    it('forgetUser drops that user only', () => {
      const cache = new RevocationCache(10, 60_000);
      cache.setVersion('a', 1, cache.currentEpoch());
      cache.setVersion('b', 2, cache.currentEpoch());
      cache.forgetUser('a');
      expect(cache.getVersion('a')).toBeUndefined();
      expect(cache.getVersion('b')).toBe(2);
    });

    it('forgetSessions drops every session named and no other', () => {
      const cache = new RevocationCache(10, 60_000);
      for (const id of ['s1', 's2', 's3']) cache.setSessionOwner(id, 'owner', cache.currentEpoch());
      cache.forgetSessions(['s1', 's3']);
      expect([cache.getSessionOwner('s1'), cache.getSessionOwner('s2'), cache.getSessionOwner('s3')]).toEqual([undefined, 'owner', undefined]);
    });

    it('clear drops everything', () => {
      const cache = new RevocationCache(10, 60_000);
      cache.setVersion('a', 1, cache.currentEpoch());
      cache.setSessionOwner('s', 'owner', cache.currentEpoch());
      cache.clear();
      expect(cache.size).toBe(0);
    });
  });

  describe('checkCached (the cached path: version and session from one lookup)', () => {
    const fill = (cache: RevocationCache, version = 3) => {
      cache.setVersion('u', version, cache.currentEpoch());
      cache.setSessionOwner('s', 'u', cache.currentEpoch(), Date.now() + 60_000);
    };

    it('answers current, revoked, or undefined when the store must answer', () => {
      const cache = new RevocationCache(10, 60_000);
      expect(cache.checkCached('u', 3, 's')).toBeUndefined();
      fill(cache);
      expect(cache.checkCached('u', 3, 's')).toBe('current');
      expect(cache.checkCached('u', 2, 's')).toBe('revoked');
      expect(cache.checkCached('other', 3, 's')).toBe('revoked'); // someone else's session
      expect(cache.checkCached('u', 3, 'unknown')).toBeUndefined();
      expect(cache.checkCached('u', 3, undefined)).toBe('current');
    });

    it('sees a version changed or forgotten after the session was cached', () => {
      const cache = new RevocationCache(10, 60_000);
      fill(cache);
      cache.setVersion('u', 4, cache.currentEpoch());
      expect(cache.checkCached('u', 3, 's')).toBe('revoked');
      expect(cache.checkCached('u', 4, 's')).toBe('current');
      cache.forgetUser('u');
      expect(cache.checkCached('u', 4, 's')).toBeUndefined();
      cache.clear();
      expect(cache.checkCached('u', 4, 's')).toBeUndefined();
    });

    it('refuses a session cached as not live, and leaves a session past its end to the store', () => {
      const cache = new RevocationCache(10, 60_000);
      cache.setVersion('u', 3, cache.currentEpoch());
      cache.setSessionOwner('dead', null, cache.currentEpoch());
      cache.setSessionOwner('ended', 'u', cache.currentEpoch(), Date.now() - 1);
      expect(cache.checkCached('u', 3, 'dead')).toBe('revoked');
      expect(cache.checkCached('u', 3, 'ended')).toBeUndefined();
    });

    it('trusts neither entry after ttlMs', async () => {
      const cache = new RevocationCache(10, 20);
      fill(cache);
      await sleep(60);
      expect(cache.checkCached('u', 3, 's')).toBeUndefined();
    });
  });
});
