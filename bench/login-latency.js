'use strict';
// `node bench/login-latency.js`: the built demo (npm run build:app) on a fresh SQLite file, one
// user, then LOGINS sequential POST /auth/login calls with the right password; prints p50/p95/mean.
// Measures what password hashing costs a user at login (the hash dominates the request).
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const MAIN = join(ROOT, 'dist/src/main.js');
const LOGINS = Number(process.env.LOGINS ?? 30);

async function main() {
  if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: run `npm run build:app` first');
  const dir = mkdtempSync(join(tmpdir(), 'login-latency-'));
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, JWT_SECRET: randomBytes(48).toString('base64url') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base);
    const credentials = { email: 'latency@example.com', password: 'a passphrase nobody guesses 7' };
    await post(base, '/auth/register', credentials, 201);
    for (let i = 0; i < 3; i++) await post(base, '/auth/login', credentials, 200);
    const times = [];
    for (let i = 0; i < LOGINS; i++) {
      const started = process.hrtime.bigint();
      await post(base, '/auth/login', credentials, 200);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    times.sort((a, b) => a - b);
    const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(`login latency over ${LOGINS} sequential logins: p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, mean ${mean.toFixed(1)} ms, min ${times[0].toFixed(1)} ms`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function post(base, path, body, expected) {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== expected) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function waitForHealth(base) {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the demo did not start');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

main().catch((error) => {
  console.error(error.message);
  process.exitCode = 1;
});
