import { DataSource } from 'typeorm';
import { testDatabases } from './support/databases';
import { startApp, type TestApp } from './support/test-app';

describe.each(testDatabases())('migrations on $name', (database) => {
  let t: TestApp;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    t = await startApp(created.url);
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  it('builds exactly the schema the entities describe (nothing left for synchronize to do)', async () => {
    const dataSource = t.app.get(DataSource);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('reverts and re-applies the library\'s migrations', async () => {
    const dataSource = t.app.get(DataSource);
    const runner = dataSource.createQueryRunner();
    try {
      await dataSource.undoLastMigration(); // CreateJwtRevocationState
      expect(await runner.hasTable('jwt_revocation_state')).toBe(false);
      await dataSource.undoLastMigration(); // AddUserRoles (the demo's)
      expect(await runner.hasColumn('users', 'roles')).toBe(false);
      await dataSource.undoLastMigration(); // AddJwtSessionTokenVersion
      expect(await runner.hasColumn('jwt_sessions', 'token_version')).toBe(false);
      await dataSource.undoLastMigration(); // CreateJwtSessions
      expect(await runner.hasTable('jwt_sessions')).toBe(false);
      await dataSource.runMigrations();
      expect(await runner.hasTable('jwt_sessions')).toBe(true);
      expect(await runner.hasColumn('jwt_sessions', 'token_version')).toBe(true);
      expect(await runner.hasColumn('users', 'roles')).toBe(true);
      expect(await runner.hasTable('jwt_revocation_state')).toBe(true);
    } finally {
      await runner.release();
    }
  });
});
