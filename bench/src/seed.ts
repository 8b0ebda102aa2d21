import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { JwtSessionEntity } from 'nestjs-jwt-revocation/typeorm';
import { dataSourceOptions } from './bench-config';
import { User } from './user.entity';

/** `node seed.js <databaseUrl> <users>`: creates the schema and users 1..n, all at version 0. */
async function main(): Promise<void> {
  const [url, count] = process.argv.slice(2);
  const users = Number(count);
  if (!url || !Number.isSafeInteger(users) || users < 1) throw new Error('usage: seed.js <databaseUrl> <users>');
  const dataSource = await new DataSource({ ...dataSourceOptions(url), entities: [User, JwtSessionEntity], synchronize: true }).initialize();
  try {
    await dataSource.transaction(async (manager) => {
      const rows = Array.from({ length: users }, (_, i) => ({ email: `user${i + 1}@bench.test`, tokenVersion: 0 }));
      for (let i = 0; i < rows.length; i += 500) await manager.insert(User, rows.slice(i, i + 500));
    });
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
