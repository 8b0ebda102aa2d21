'use strict';
// Starts the built demo (`npm run start:prod`'s file) on a free port with its own SQLite file,
// once per HTTP platform, and walks register -> login -> /me -> logout-all -> /me refused.
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
// The file `npm run start:prod` runs, so the smoke run fails when the script and the build disagree.
const MAIN = join(ROOT, /^node (\S+)$/.exec(require('../package.json').scripts['start:prod'])?.[1] ?? 'start:prod is not `node <file>`');
const START_TIMEOUT_MS = 60_000;

async function main() {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build:app\` first`);
  for (const adapter of ['express', 'fastify']) await smoke(adapter);
}

async function smoke(adapter) {
  const dir = mkdtempSync(join(tmpdir(), 'demo-smoke-'));
  const port = await freePort();
  const output = [];
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HTTP_ADAPTER: adapter,
      DATABASE_URL: `sqlite:${join(dir, 'demo.sqlite')}`,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base, exited);
    await walkthrough(base);
    console.log(`demo smoke (${adapter}): /health 200, register 201, login 200, /me 200, logout-all 204, /me 401`);
  } catch (error) {
    console.error(Buffer.concat(output).toString('utf8'));
    throw new Error(`demo smoke (${adapter}): ${error.message}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitForHealth(base, exited) {
  let gone = false;
  exited.then(() => (gone = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone) throw new Error('the demo exited before /health answered');
    try {
      if ((await fetch(`${base}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`/health did not answer 200 within ${START_TIMEOUT_MS} ms`);
}

async function walkthrough(base) {
  const credentials = { email: `smoke-${Date.now()}@example.com`, password: 'smoke test passphrase 42' };
  await call(base, 'POST', '/auth/register', { body: credentials, expect: 201 });
  const { accessToken } = await call(base, 'POST', '/auth/login', { body: credentials, expect: 200 });
  const me = await call(base, 'GET', '/me', { token: accessToken, expect: 200 });
  if (me.email !== credentials.email) throw new Error(`/me answered ${JSON.stringify(me)}`);
  await call(base, 'POST', '/auth/logout-all', { token: accessToken, expect: 204 });
  await call(base, 'GET', '/me', { token: accessToken, expect: 401 });
}

async function call(base, method, path, { body, token, expect }) {
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const response = await fetch(`${base}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await response.text();
  if (response.status !== expect) throw new Error(`${method} ${path}: expected ${expect}, got ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
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
