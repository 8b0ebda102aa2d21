'use strict';
// Generates one Prisma 7 client per provider (PostgreSQL, MySQL/MariaDB, SQLite) from the shipped
// JwtSession model plus an app's User model, as an app would, into test/stores/prisma/generated
// (gitignored). Offline: `prisma generate` only needs the schema engine binary to exist, never
// runs it, so PRISMA_SCHEMA_ENGINE_BINARY points at an existing file when not set.
// Run by `npm run prisma:generate` (CI) and as the jest globalSetup of the stores project.
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const ROOT = join(__dirname, '../../..');
const GENERATED = join(__dirname, 'generated');
const PROVIDERS = ['postgresql', 'mysql', 'sqlite'];

/** The JwtSession model exactly as the library exports it (read from source: no build needed). */
function sessionModel(provider) {
  const source = readFileSync(join(ROOT, 'libs/jwt-revocation/src/prisma/jwt-session.prisma-model.ts'), 'utf8');
  const name = provider === 'sqlite' ? 'SQLITE' : 'WITH_NATIVE_TYPES';
  const match = new RegExp(`const ${name} = \`([^\`]*)\`;`).exec(source);
  if (!match) throw new Error(`cannot find the ${name} model in jwt-session.prisma-model.ts`);
  return match[1];
}

const TEST_USER_MODEL = `model User {
  id           Int @id
  tokenVersion Int @default(0) @map("token_version")

  @@map("users")
}`;

/** A schema.prisma as an app writes it: its datasource, the generator, its User model and the shipped JwtSession model. */
function schemaFor(provider, userModel = TEST_USER_MODEL) {
  return `datasource db {
  provider = "${provider}"
}

generator client {
  provider            = "prisma-client"
  output              = "./client"
  moduleFormat        = "cjs"
  importFileExtension = ""
}

${userModel}

${sessionModel(provider)}`;
}

/** Writes `dir/schema.prisma` and generates its client into `dir/client`, unless it is already there. */
function generatePrismaClient(outDir, schema) {
  const dir = resolve(outDir);
  const schemaFile = join(dir, 'schema.prisma');
  const upToDate = existsSync(join(dir, 'client/client.ts')) && existsSync(schemaFile) && readFileSync(schemaFile, 'utf8') === schema;
  if (upToDate) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(schemaFile, schema);
  const engine = process.env.PRISMA_SCHEMA_ENGINE_BINARY || (existsSync('/bin/false') ? '/bin/false' : process.execPath);
  execFileSync(join(ROOT, 'node_modules/.bin/prisma'), ['generate', '--schema', schemaFile], {
    cwd: dir,
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: engine, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
    stdio: 'pipe',
  });
}

function generatePrismaClients() {
  for (const provider of PROVIDERS) generatePrismaClient(join(GENERATED, provider), schemaFor(provider));
}

module.exports = generatePrismaClients;
module.exports.generatePrismaClient = generatePrismaClient;
module.exports.schemaFor = schemaFor;
if (require.main === module) {
  generatePrismaClients();
  console.log(`Prisma clients generated in ${GENERATED} (${PROVIDERS.join(', ')})`);
}
