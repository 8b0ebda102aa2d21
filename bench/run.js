'use strict';
// `npm run bench`: builds the library and the bench servers, then, per platform, starts a server
// process per scenario and measures GET /me with an autocannon process (pinned to separate cores
// when `taskset` exists), in rounds of interleaved slices; then measures cross-instance propagation over
// Redis, prints the table and writes docs/benchmarks.md and docs/benchmarks.svg.
// Settings (all optional) are listed at the end of docs/benchmarks.md (bench/lib/settings.js).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { textTable, markdown, svgChart, targetLines } = require('./report');
const { formatSummary } = require('./profile-summary');
const { build, seed } = require('./lib/build');
const { hasTaskset, machineInfo, packageVersions } = require('./lib/machine');
const { measureRound } = require('./lib/measure');
const { ROOT } = require('./lib/paths');
const { cleanup, onCleanup } = require('./lib/processes');
const { measurePropagation } = require('./lib/propagation');
const { measureLiveConnections, recordLiveConnections, withLiveConnectionsSection } = require('./lib/socket-propagation');
const { SCENARIOS, addRatios, combineRuns, evaluateTargets } = require('./lib/rows');
const { writeRunRecord } = require('./lib/doc-sections');
const { createPostgresDatabase, redisReachable } = require('./lib/services');
const { redact, settings } = require('./lib/settings');

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

  if (settings.build) build();
  else console.log('bench: BENCH_BUILD=0: using the existing build of the library and bench/');

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

  // Live connections alone: no table rows to measure, and the Results and Two runs sections stay as they are.
  if (settings.only?.every((id) => id === 'live')) {
    if (redisSkip) throw new Error(`live connections need Redis: ${redisSkip}`);
    await recordLiveConnections();
    return;
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jwt-revocation-bench-'));
  onCleanup(() => fs.rmSync(tmp, { recursive: true, force: true }));
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
    for (const scenario of wanted.filter((s) => !s.platforms || s.platforms.includes(platform))) {
      const row = { ...scenario, platform, runs: [] };
      if (scenario.redis && redisSkip) row.skipped = redisSkip;
      else if (scenario.database && !databases[scenario.database]) row.skipped = `${scenario.database} unavailable`;
      rows.push(row);
    }
  }
  // Rounds of every platform's rows on fresh servers, each round in interleaved slices
  // (bench/lib/measure.js): each paired ratio compares two rows measured within the same seconds,
  // and the table reports the median of the rounds' ratios.
  for (let round = 1; round <= settings.rounds; round++) {
    if (settings.rounds > 1) console.log(`bench: round ${round} of ${settings.rounds}`);
    for (const platform of settings.platforms) {
      const platformRows = rows.filter((r) => r.platform === platform && !r.skipped);
      if (platformRows.length === 0) continue;
      const profile = settings.profile && round === settings.rounds;
      const runs = await measureRound(platformRows, databases, taskset, { profile, first: round === 1 });
      platformRows.forEach((row, i) => row.runs.push(runs[i]));
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

  let live;
  // Opt-in (BENCH_ONLY=live, or node bench/live-connections.js): 10,000 sockets take a minute and more, and the default run stays under 10.
  if (!redisSkip && settings.only?.includes('live')) live = await measureLiveConnections();

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
    const versions = await packageVersions(databases, settings.redisUrl);
    const document = markdown({ machine, versions, settings, rows, targets, propagation, notes });
    fs.writeFileSync(path.join(docs, 'benchmarks.md'), live ? withLiveConnectionsSection(document, live) : document);
    fs.writeFileSync(path.join(docs, 'benchmarks.svg'), svgChart(rows));
    writeRunRecord(rows);
    console.log('\nbench: wrote docs/benchmarks.md and docs/benchmarks.svg');
  }
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
