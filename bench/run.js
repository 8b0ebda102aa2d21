'use strict';
// `npm run bench`: builds the library and the bench servers, then, in rounds, for each scenario
// and platform starts a fresh server process and an autocannon process (pinned to separate cores
// when `taskset` exists) and measures GET /me; then measures cross-instance propagation over
// Redis, prints the table and writes docs/benchmarks.md and docs/benchmarks.svg.
// Settings (all optional) are listed at the end of docs/benchmarks.md.
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { textTable, markdown, svgChart, targetLines } = require('./report');
const { summarize, formatSummary } = require('./profile-summary');
const { measureOtherCpu } = require('./cpu-usage');

const ROOT = path.resolve(__dirname, '..');
const BUILD = path.join(__dirname, '.build');
const REGISTER_PATHS = path.join(__dirname, 'register-paths.js');

const settings = {
  /** Measured seconds per row, split evenly over the rounds. */
  duration: positive('BENCH_DURATION', 8),
  rounds: Math.max(1, nonNegative('BENCH_ROUNDS', 3)),
  /** Warmup seconds before each measured run. */
  warmup: positive('BENCH_WARMUP', 2),
  connections: positive('BENCH_CONNECTIONS', 10),
  users: positive('BENCH_USERS', 1000),
  revocations: positive('BENCH_REVOCATIONS', 1000),
  postgresAdminUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  only: listEnv('BENCH_ONLY'),
  platforms: listEnv('BENCH_PLATFORMS') ?? ['express', 'fastify'],
  writeDocs: process.env.BENCH_WRITE_DOCS !== '0',
  profile: process.env.BENCH_PROFILE === '1',
  retries: nonNegative('BENCH_RETRIES', 0),
  /** Cores used by other processes (plus steal) above which a measured run is repeated. */
  otherCpuLimit: 0.15,
  secret: crypto.randomBytes(48).toString('base64url'),
  pinning: '',
};

/** The rows, in table order. `id` is what BENCH_ONLY filters on. */
const SCENARIOS = [
  { id: 'a', label: '(a) no auth', scenario: 'no-auth' },
  { id: 'b', label: '(b) passport-jwt (docs)', scenario: 'passport-jwt' },
  { id: 'c', label: '(c) lib, cache off, SQLite', scenario: 'lib-no-cache', database: 'sqlite' },
  { id: 'c-pg', label: '(c) lib, cache off, PostgreSQL', scenario: 'lib-no-cache', database: 'postgres' },
  { id: 'd', label: '(d) lib, cache on', scenario: 'lib-cache', database: 'sqlite' },
  { id: 'e', label: '(e) lib, cache + Redis', scenario: 'lib-redis', database: 'sqlite', redis: true },
];

const children = new Set();
const cleanups = [];

async function main() {
  const machine = machineInfo();
  const taskset = hasTaskset() && machine.nproc >= 2;
  settings.pinning = taskset
    ? 'Server pinned to CPU 0, load generator to CPU 1 (taskset).'
    : 'No CPU pinning (taskset missing or a single core): server and load generator share the CPUs.';
  const notes = { list: [], propagation: undefined };
  console.log(`bench: ${machine.model}, ${machine.nproc} cores, Node ${machine.node}. ${settings.pinning}`);
  if (machine.loadAtStart > 1) {
    console.log(`bench: NOTE load average ${machine.loadAtStart.toFixed(2)} before starting: other processes compete for the CPUs`);
  }

  build();

  const redisModule = fs.existsSync(path.join(ROOT, 'libs/jwt-revocation/dist/redis/index.js'));
  const redisUp = settings.redisUrl !== 'off' && (await redisReachable(settings.redisUrl));
  let redisSkip;
  if (!redisModule) redisSkip = 'nestjs-jwt-revocation/redis is not in the build yet';
  else if (settings.redisUrl === 'off') redisSkip = 'BENCH_REDIS_URL=off';
  else if (!redisUp) redisSkip = `Redis not reachable at ${redact(settings.redisUrl)}`;
  if (redisSkip) {
    console.log(`bench: NOTE (e) and propagation skipped: ${redisSkip}`);
    notes.list.push(`(e) and propagation skipped: ${redisSkip}.`);
    notes.propagation = redisSkip;
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jwt-revocation-bench-'));
  cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const databases = { sqlite: `sqlite:${path.join(tmp, 'bench.sqlite')}` };
  await seed(databases.sqlite);

  const wanted = SCENARIOS.filter((s) => !settings.only || settings.only.includes(s.id));
  if (wanted.some((s) => s.database === 'postgres')) {
    const created = await createPostgresDatabase(settings.postgresAdminUrl);
    if (created.url) {
      databases.postgres = created.url;
      await seed(databases.postgres);
    } else {
      console.log(`bench: NOTE PostgreSQL rows skipped: ${created.reason}`);
      notes.list.push(`PostgreSQL rows skipped: ${created.reason}.`);
    }
  }

  const rows = [];
  for (const platform of settings.platforms) {
    for (const scenario of wanted) {
      const row = { ...scenario, platform, runs: [] };
      if (scenario.redis && redisSkip) row.skipped = redisSkip;
      else if (scenario.database && !databases[scenario.database]) row.skipped = `${scenario.database} unavailable`;
      rows.push(row);
    }
  }
  // Rounds of every row, each with a fresh server, so slow drifts and per-process luck spread
  // over all rows instead of landing on one.
  for (let round = 1; round <= settings.rounds; round++) {
    if (settings.rounds > 1) console.log(`bench: round ${round} of ${settings.rounds}`);
    for (const row of rows.filter((r) => !r.skipped)) {
      const profile = settings.profile && round === settings.rounds;
      row.runs.push(await measure(row, databases[row.database], taskset, profile));
    }
  }
  for (const row of rows.filter((r) => !r.skipped)) Object.assign(row, combineRuns(row.runs));
  addRatios(rows);

  let propagation;
  if (!redisSkip && (!settings.only || settings.only.includes('propagation'))) {
    const file = `sqlite:${path.join(tmp, 'propagation.sqlite')}`;
    await seed(file, settings.revocations);
    console.log(`bench: propagation, ${settings.revocations} revocations across two instances over Redis`);
    propagation = await measurePropagation(file);
  } else if (!redisSkip) {
    notes.propagation = 'not selected (BENCH_ONLY)';
  }

  for (const row of rows) {
    if (!row.skipped && (row.non2xx > 0 || row.errors > 0 || row.timeouts > 0)) {
      notes.list.push(`${row.label} on ${row.platform}: ${row.non2xx} non-2xx, ${row.errors} errors, ${row.timeouts} timeouts; its numbers are not valid.`);
    }
    if (row.skipped) notes.list.push(`${row.label} on ${row.platform} skipped: ${row.skipped}.`);
    else if (row.otherCores + row.stealCores > settings.otherCpuLimit && row.database !== 'postgres') {
      notes.list.push(`${row.label} on ${row.platform}: other processes used up to ${(row.otherCores + row.stealCores).toFixed(2)} cores during its measured runs; treat it with care.`);
    }
  }
  const targets = evaluateTargets(rows, propagation);
  machine.loadAtEnd = os.loadavg()[0];

  console.log('');
  console.log(textTable(rows));
  if (propagation) {
    const { publishToApplied: p, callToApplied: c } = propagation;
    console.log('');
    console.log(`propagation (${propagation.revocations} revocations): publish on A -> invalidated on B p50 ${p.p50.toFixed(3)} ms, p99 ${p.p99.toFixed(3)} ms, max ${p.max.toFixed(3)} ms`);
    console.log(`  logoutAll() called on A -> invalidated on B p50 ${c.p50.toFixed(3)} ms, p99 ${c.p99.toFixed(3)} ms; lost ${propagation.lost}, old tokens still accepted ${propagation.stillAccepted}`);
  }
  for (const row of rows.filter((r) => r.profile)) {
    console.log('');
    console.log(formatSummary(`${row.label} on ${row.platform} (${row.profileFile})`, row.profile));
  }
  console.log('');
  console.log(targetLines(targets).join('\n'));
  for (const note of notes.list) console.log(`note: ${note}`);

  if (settings.writeDocs) {
    const docs = path.join(ROOT, 'docs');
    fs.mkdirSync(docs, { recursive: true });
    const versions = await packageVersions(databases);
    fs.writeFileSync(path.join(docs, 'benchmarks.md'), markdown({ machine, versions, settings, rows, targets, propagation, notes }));
    fs.writeFileSync(path.join(docs, 'benchmarks.svg'), svgChart(rows));
    console.log('\nbench: wrote docs/benchmarks.md and docs/benchmarks.svg');
  }
}

// ---------------------------------------------------------------------------------------------
// Build

function build() {
  console.log('bench: npm run build');
  run('npm', ['run', 'build'], { shell: process.platform === 'win32' });
  console.log('bench: compiling bench/src -> bench/.build');
  fs.rmSync(BUILD, { recursive: true, force: true });
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(__dirname, 'tsconfig.json')]);
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

// ---------------------------------------------------------------------------------------------
// One row: a fresh server per round, a warmup, a measured run, the counters around it

/** One row's rounds as one: medians of req/s and latencies, counters summed over all requests. */
function combineRuns(runs) {
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const sum = (get) => runs.reduce((total, run) => total + get(run), 0);
  const requests = sum((r) => r.requests);
  const rps = runs.map((r) => r.rps);
  const perRequest = (get) => (runs[0][get] === undefined ? undefined : sum((r) => r[get] * r.requests) / requests);
  return {
    rps: median(rps),
    spread: runs.length > 1 ? (Math.max(...rps) - Math.min(...rps)) / median(rps) : NaN,
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    requests,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    storeReadsPerRequest: perRequest('storeReadsPerRequest'),
    sqlPerRequest: perRequest('sqlPerRequest'),
    serverCores: median(runs.map((r) => r.serverCores)),
    otherCores: Math.max(...runs.map((r) => r.otherCores)),
    stealCores: Math.max(...runs.map((r) => r.stealCores)),
    attempts: sum((r) => r.attempts),
    profile: runs.find((r) => r.profile)?.profile,
    profileFile: runs.find((r) => r.profile)?.profileFile,
  };
}

async function measure(row, databaseUrl, taskset, profile) {
  process.stdout.write(`bench: ${row.label} on ${row.platform} ... `);
  const server = startNode(path.join(BUILD, 'server.js'), taskset ? 0 : undefined, {
    BENCH_SCENARIO: row.scenario,
    BENCH_PLATFORM: row.platform,
    BENCH_DATABASE_URL: databaseUrl ?? '',
    BENCH_SECRET: settings.secret,
    BENCH_REDIS_URL: row.redis ? settings.redisUrl : '',
    BENCH_REDIS_CHANNEL: `jwt-revocation:bench:${process.pid}`,
    BENCH_PROFILE: settings.profile ? '1' : '',
  });
  const load = startNode(path.join(__dirname, 'load-generator.js'), taskset ? 1 : undefined, {}, false);
  try {
    const { port } = await nextMessage(server, 'listening', 60_000);
    const base = `http://127.0.0.1:${port}`;
    const tokens = await getJson(`${base}/__bench/tokens?count=${settings.users}`);
    load.send({ type: 'tokens', tokens });
    const runLoad = async (phase, seconds) => {
      load.send({ type: 'run', phase, url: `${base}/me`, connections: settings.connections, seconds });
      const reply = await nextMessage(load, ['done', 'failed'], (seconds + 60) * 1000);
      if (reply.type === 'failed') throw new Error(`load generator: ${reply.error}`);
      return reply.result;
    };
    await runLoad('warmup', settings.warmup);
    const usesLibrary = row.scenario.startsWith('lib-');
    let measured;
    let attempts = 0;
    // A run disturbed by other work on the machine is repeated (the PostgreSQL rows are not:
    // the database server's own CPU counts as "other" there).
    for (let attempt = 0; attempt <= settings.retries; attempt++) {
      const before = await getJson(`${base}/__bench/metrics`);
      const cpu = measureOtherCpu([server.pid, load.pid]);
      const result = await runLoad('measure', settings.duration / settings.rounds);
      const { pidCores, otherCores, stealCores } = cpu.stop();
      const after = await getJson(`${base}/__bench/metrics`);
      const requests = result.requests;
      attempts++;
      const candidate = {
        ...result,
        serverCores: pidCores[0],
        loadCores: pidCores[1],
        otherCores,
        stealCores,
        storeReadsPerRequest: usesLibrary ? (after.storeReads - before.storeReads) / requests : undefined,
        sqlPerRequest: usesLibrary ? (after.sqlQueries - before.sqlQueries) / requests : undefined,
        cacheHits: after.cacheHits - before.cacheHits,
        cacheMisses: after.cacheMisses - before.cacheMisses,
      };
      const disturbance = otherCores + stealCores;
      if (!measured || disturbance < measured.otherCores + measured.stealCores) measured = candidate;
      const disturbed = disturbance > settings.otherCpuLimit;
      if (!disturbed || row.database === 'postgres') break;
      if (attempt < settings.retries) process.stdout.write(`disturbed (other processes used ${otherCores.toFixed(2)} cores), again ... `);
    }
    measured.attempts = attempts;
    const result = measured;
    console.log(`${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, CPU: server ${result.serverCores.toFixed(2)}, autocannon ${result.loadCores.toFixed(2)}, other ${(result.otherCores + result.stealCores).toFixed(2)}${result.non2xx ? `, ${result.non2xx} NON-2XX` : ''}`);
    if (profile) {
      // A separate run under the profiler, so the measured one above carries no profiling overhead.
      const file = path.join(BUILD, 'profiles', `${row.id}-${row.platform}.cpuprofile`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      server.send({ type: 'profile-start' });
      await nextMessage(server, 'profiling', 10_000);
      const profiled = await runLoad('profile', settings.duration / settings.rounds);
      server.send({ type: 'profile-stop', file });
      await nextMessage(server, 'profiled', 60_000);
      measured.profile = summarize(JSON.parse(fs.readFileSync(file, 'utf8')), profiled.requests);
      measured.profileFile = path.relative(ROOT, file);
    }
    return measured;
  } finally {
    await stop(load);
    await stop(server, 'close');
  }
}

function addRatios(rows) {
  for (const row of rows) {
    if (row.skipped) continue;
    const base = (id) => rows.find((r) => r.id === id && r.platform === row.platform && !r.skipped);
    row.vsPassport = base('b') ? row.rps / base('b').rps : NaN;
    row.vsNoAuth = base('a') ? row.rps / base('a').rps : NaN;
  }
}

function evaluateTargets(rows, propagation) {
  const find = (id, platform) => rows.find((r) => r.id === id && r.platform === platform && !r.skipped);
  const targets = [];
  for (const id of ['d', 'e']) {
    for (const platform of settings.platforms) {
      const row = find(id, platform);
      const name = `(${id}) >= 3x (b) on ${platform}`;
      targets.push(row && Number.isFinite(row.vsPassport)
        ? { name, met: row.vsPassport >= 3, detail: `${row.vsPassport.toFixed(2)}x` }
        : { name, detail: 'not run' });
    }
  }
  const dExpress = find('d', 'express');
  targets.push(dExpress && Number.isFinite(dExpress.vsNoAuth)
    ? { name: '(d) >= 0.8x (a) on express', met: dExpress.vsNoAuth >= 0.8, detail: `${dExpress.vsNoAuth.toFixed(2)}x` }
    : { name: '(d) >= 0.8x (a) on express', detail: 'not run' });
  for (const id of ['d', 'e']) {
    for (const platform of settings.platforms) {
      const row = find(id, platform);
      const name = `(${id}) <= 0.01 DB queries/request on ${platform}`;
      targets.push(row
        ? { name, met: row.storeReadsPerRequest <= 0.01 && row.sqlPerRequest <= 0.01, detail: `store reads ${row.storeReadsPerRequest.toFixed(4)}, SQL ${row.sqlPerRequest.toFixed(4)}` }
        : { name, detail: 'not run' });
    }
  }
  targets.push(propagation
    ? { name: 'propagation p99 <= 10 ms', met: propagation.publishToApplied.p99 <= 10 && propagation.lost === 0 && propagation.stillAccepted === 0, detail: `p99 ${propagation.publishToApplied.p99.toFixed(3)} ms, lost ${propagation.lost}, still accepted ${propagation.stillAccepted}` }
    : { name: 'propagation p99 <= 10 ms', detail: 'not run' });
  return targets;
}

// ---------------------------------------------------------------------------------------------
// Propagation

async function measurePropagation(databaseUrl) {
  const child = startNode(path.join(BUILD, 'propagation.js'), undefined, {
    BENCH_DATABASE_URL: databaseUrl,
    BENCH_REDIS_URL: settings.redisUrl,
    BENCH_SECRET: settings.secret,
    BENCH_REVOCATIONS: String(settings.revocations),
  });
  try {
    const { result } = await nextMessage(child, 'propagation', 300_000);
    return result;
  } finally {
    await stop(child);
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

/** A node process with an IPC channel, on `cpu` when given (through taskset). */
function startNode(script, cpu, env, registerPaths = true) {
  const nodeArgs = [...(registerPaths ? ['-r', REGISTER_PATHS] : []), script];
  const [command, args] = cpu === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', String(cpu), process.execPath, ...nodeArgs]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function nextMessage(child, types, timeoutMs) {
  const wanted = [].concat(types);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${wanted.join('/')}`)), timeoutMs);
    const onMessage = (message) => {
      if (message && wanted.includes(message.type)) done(undefined, message);
    };
    const onExit = (code) => done(new Error(`process exited (${code}) before ${wanted.join('/')}`));
    function done(error, message) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Asks a child to close (or disconnects it), then kills it if it has not exited in 5 s. */
function stop(child, message) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (message && child.connected) child.send(message);
    else if (child.connected) child.disconnect();
    else child.kill('SIGTERM');
  });
}

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

// ---------------------------------------------------------------------------------------------
// Services

async function redisReachable(url) {
  const { Redis } = require('ioredis');
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Creates `bench_<random>` next to the admin database; dropped when the bench ends. */
async function createPostgresDatabase(adminUrl) {
  if (adminUrl === 'off') return { reason: 'BENCH_POSTGRES_URL=off' };
  const { Client } = require('pg');
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (error) {
    return { reason: `PostgreSQL not reachable at ${redact(adminUrl)} (${error.code ?? error.message})` };
  }
  const name = `bench_${crypto.randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  cleanups.push(async () => {
    const dropper = new Client({ connectionString: adminUrl });
    await dropper.connect();
    try {
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await dropper.end();
    }
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString() };
}

async function serverVersions(databases) {
  const versions = {};
  if (databases.postgres) {
    const { Client } = require('pg');
    const client = new Client({ connectionString: databases.postgres });
    await client.connect();
    try {
      versions.PostgreSQL = (await client.query('SHOW server_version')).rows[0].server_version;
    } finally {
      await client.end();
    }
  }
  if (settings.redisUrl !== 'off' && (await redisReachable(settings.redisUrl))) {
    const { Redis } = require('ioredis');
    const client = new Redis(settings.redisUrl, { maxRetriesPerRequest: 0 });
    try {
      const info = await client.info('server');
      versions.Redis = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    } finally {
      client.disconnect();
    }
  }
  return versions;
}

// ---------------------------------------------------------------------------------------------
// Machine and versions

function machineInfo() {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? model;
  } catch {
    // not Linux: keep os.cpus()
  }
  const nproc = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim()) || os.availableParallelism();
  return {
    model,
    nproc,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAtStart: os.loadavg()[0],
    loadAtEnd: NaN,
  };
}

function hasTaskset() {
  return process.platform === 'linux' && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

async function packageVersions(databases) {
  const names = [
    '@nestjs/core',
    '@nestjs/platform-express',
    'express',
    '@nestjs/platform-fastify',
    'fastify',
    '@nestjs/passport',
    'passport',
    'passport-jwt',
    '@nestjs/jwt',
    'jsonwebtoken',
    'fast-jwt',
    'lru-cache',
    '@nestjs/typeorm',
    'typeorm',
    'better-sqlite3',
    'pg',
    'ioredis',
    'autocannon',
  ];
  const versions = { 'nestjs-jwt-revocation': readVersion(path.join(ROOT, 'libs/jwt-revocation/package.json')) };
  for (const name of names) versions[name] = readVersion(path.join(ROOT, 'node_modules', name, 'package.json'));
  return { ...versions, ...(await serverVersions(databases)) };
}

function readVersion(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

// ---------------------------------------------------------------------------------------------
// Settings

function positive(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

function nonNegative(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be an integer >= 0, got "${raw}"`);
  return value;
}

function listEnv(name) {
  const raw = process.env[name];
  return raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

async function cleanup() {
  for (const child of children) child.kill('SIGKILL');
  for (const step of cleanups.reverse()) {
    try {
      await step();
    } catch (error) {
      console.error(`bench: cleanup failed: ${error.message}`);
    }
  }
  cleanups.length = 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(cleanup)
  .catch(async (error) => {
    console.error(error);
    await cleanup();
    process.exitCode = 1;
  });
