'use strict';
// Builds the library and the bench servers, and seeds a database with users.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { BENCH_DIR, BUILD, REGISTER_PATHS, ROOT } = require('./paths');
const { settings, redact } = require('./settings');

function build() {
  console.log('bench: npm run build');
  run('npm', ['run', 'build'], { shell: process.platform === 'win32' });
  console.log('bench: compiling bench/src -> bench/.build');
  fs.rmSync(BUILD, { recursive: true, force: true });
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(BENCH_DIR, 'tsconfig.json')]);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
}

function seed(databaseUrl, users = settings.users) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', REGISTER_PATHS, path.join(BUILD, 'seed.js'), databaseUrl, String(users)], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding ${redact(databaseUrl)} failed`))));
  });
}

module.exports = { build, seed };
