import { InMemorySessionStore, InMemoryTokenVersionStore } from 'nestjs-jwt-revocation';
import { runSessionStoreContract, runTokenVersionStoreContract } from 'nestjs-jwt-revocation/testing';

let nextUser = 1;
runSessionStoreContract('in-memory', async () => ({ store: new InMemorySessionStore() }));
runTokenVersionStoreContract('in-memory', async () => {
  const store = new InMemoryTokenVersionStore();
  return {
    store,
    createUser: async () => {
      const id = String(nextUser++);
      store.addUser(id);
      return id;
    },
  };
});
