import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisRevocationStores } from 'nestjs-jwt-revocation/redis';
import { runSessionStoreContract, runTokenVersionStoreContract } from 'nestjs-jwt-revocation/testing';
import { testRedisUrl } from '../support/databases';

const url = testRedisUrl() ?? 'redis://127.0.0.1:6379';

/** Stores on the shared Redis under a random prefix; cleaning up deletes only that prefix's keys. */
async function openStores() {
  const keyPrefix = `jwtrev-contract-${randomBytes(6).toString('hex')}`;
  const stores = new RedisRevocationStores({ connection: url, keyPrefix, tokenLifetimeSeconds: 24 * 3600 });
  await stores.start();
  const close = async () => {
    const admin = new Redis(url);
    const keys = await admin.keys(`{${keyPrefix}}:*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
    await stores.close();
  };
  return { stores, close };
}

runSessionStoreContract('redis', async () => {
  const { stores, close } = await openStores();
  return { store: stores.sessions, close };
});

runTokenVersionStoreContract(
  'redis',
  async () => {
    const { stores, close } = await openStores();
    let next = 0;
    return { store: stores.versions, createUser: async () => `user-${++next}`, close };
  },
  { everyIdExists: true },
);
