'use strict';
// Renders the results: a plain-text table for the console, docs/benchmarks.md and an SVG bar chart.
const { agreementSection, keepSections } = require('./lib/doc-sections');

const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const ratio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '-');
const perRequest = (value) => (value === undefined ? '-' : Number.isFinite(value) ? value.toFixed(4) : '-');

/** A paired ratio: median of the per-round ratios, and their range. */
const paired = (value) => (value ? `${value.median.toFixed(2)}x (${value.min.toFixed(2)}-${value.max.toFixed(2)})` : '-');

const COLUMNS = [
  { title: 'scenario', get: (r) => r.label, align: 'left' },
  { title: 'platform', get: (r) => r.platform, align: 'left' },
  { title: 'req/s', get: (r) => (r.skipped ? 'skipped' : fixed(r.rps, 0)) },
  { title: 'vs (b)', get: (r) => paired(r.ratios?.b) },
  { title: 'vs (a)', get: (r) => paired(r.ratios?.a) },
  { title: "vs (a')", get: (r) => paired(r.ratios?.['a-guard']) },
  { title: 'user CPU us/req', get: (r) => fixed(r.cpuUserPerRequestUs, 1) },
  { title: 'kernel us/req', get: (r) => fixed(r.cpuSystemPerRequestUs, 1) },
  { title: 'CPU vs (a)', get: (r) => paired(r.ratios?.['a:cpu']) },
  { title: 'SQL/req', get: (r) => perRequest(r.sqlPerRequest) },
  { title: 'store reads/req', get: (r) => perRequest(r.storeReadsPerRequest) },
  { title: 'JS thread', get: (r) => (r.skipped ? '-' : fixed(r.mainThreadCores, 2)) },
  { title: 'p99 ms', get: (r) => fixed(r.p99, 2) },
  { title: 'other CPU', get: (r) => (r.skipped ? '-' : fixed(r.otherCores + r.stealCores, 2)) },
];

function cells(rows) {
  return rows.map((row) => COLUMNS.map((column) => String(column.get(row))));
}

/** The console table. */
function textTable(rows) {
  const body = cells(rows);
  const widths = COLUMNS.map((column, i) => Math.max(column.title.length, ...body.map((line) => line[i].length)));
  const pad = (text, i) => (COLUMNS[i].align === 'left' ? text.padEnd(widths[i]) : text.padStart(widths[i]));
  const line = (values) => values.map(pad).join('  ');
  return [line(COLUMNS.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function markdownTable(rows) {
  const body = cells(rows);
  const align = COLUMNS.map((c) => (c.align === 'left' ? ':--' : '--:'));
  return [COLUMNS.map((c) => c.title), align, ...body].map((line) => `| ${line.join(' | ')} |`).join('\n');
}

function targetLines(targets) {
  return targets.map((t) => `- ${t.met === undefined ? 'NOT MEASURED' : t.met ? 'MET' : 'MISSED'}: ${t.name} (${t.detail})`);
}

/** Horizontal bars of req/s, one panel per platform, each on its own scale. */
function svgChart(rows) {
  const colors = { express: '#4e79a7', fastify: '#f28e2b' };
  const labelWidth = 250;
  const chartWidth = 460;
  const barHeight = 18;
  const gap = 6;
  const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const platforms = [...new Set(rows.map((r) => r.platform))];
  const parts = [];
  let y = 34;
  for (const platform of platforms) {
    const bars = rows.filter((r) => r.platform === platform && !r.skipped && Number.isFinite(r.rps));
    if (bars.length === 0) continue;
    const max = Math.max(...bars.map((r) => r.rps));
    y += 22;
    parts.push(`<text x="10" y="${y}" font-size="13" font-weight="bold">${escape(platform === 'express' ? 'Express' : 'Fastify')}</text>`);
    y += 8;
    for (const row of bars) {
      const width = Math.max(1, Math.round((row.rps / max) * chartWidth));
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + barHeight - 5}" text-anchor="end">${escape(row.label)}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${width}" height="${barHeight}" fill="${colors[platform] ?? '#999'}"/>`,
        `<text x="${labelWidth + width + 6}" y="${y + barHeight - 5}">${Math.round(row.rps)}${Number.isFinite(row.vsPassport) ? ` (${row.vsPassport.toFixed(2)}x b)` : ''}</text>`,
      );
      y += barHeight + gap;
    }
  }
  const width = labelWidth + chartWidth + 130;
  const height = y + 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<rect width="100%" height="100%" fill="#fff"/>',
    '<text x="10" y="22" font-size="14" font-weight="bold">GET /me, requests per second (higher is better; each platform on its own scale)</text>',
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** The same bars in text, for readers without the SVG (each platform on its own scale). */
function asciiChart(rows) {
  const bars = rows.filter((r) => !r.skipped && Number.isFinite(r.rps));
  const max = (platform) => Math.max(...bars.filter((r) => r.platform === platform).map((r) => r.rps));
  const labelWidth = Math.max(...bars.map((r) => `${r.label} - ${r.platform}`.length));
  return bars
    .map((r) => `${`${r.label} - ${r.platform}`.padEnd(labelWidth)} | ${'#'.repeat(Math.max(1, Math.round((r.rps / max(r.platform)) * 40))).padEnd(40)} ${Math.round(r.rps)}`)
    .join('\n');
}

/** Why the ratios differ between platforms: the framework's own cost is in every row. */
function platformNote(rows) {
  const find = (id, platform) => rows.find((r) => r.id === id && r.platform === platform && !r.skipped);
  const [ea, fa, eb, fb] = [find('a', 'express'), find('a', 'fastify'), find('b', 'express'), find('b', 'fastify')];
  if (!ea || !fa || !eb || !fb) return [];
  const us = (row) => row.cpuUserPerRequestUs;
  return [
    `Every row pays its framework's own cost: ${us(ea).toFixed(0)} us of server user CPU per request on Express and ${us(fa).toFixed(0)} us on`,
    `Fastify (row (a)). That fixed cost sits in both terms of a ratio to (b) (${us(eb).toFixed(0)} us on Express, ${us(fb).toFixed(0)} us on Fastify), so`,
    'the same authentication work yields a smaller ratio to (b) on Express and a larger one to (a).',
    '',
  ];
}

/** The servers outlive the cache TTL: say what the TTL adds to the (d)/(e) store reads. */
function cacheTtlNote(rows, settings) {
  const cached = rows.filter((r) => !r.skipped && (r.id === 'd' || r.id === 'e'));
  if (cached.length === 0) return [];
  // The bench built the library before it ran, so its one defaults object is there to read.
  const { JWT_REVOCATION_DEFAULTS } = require('../libs/jwt-revocation/dist');
  const ttlSeconds = JWT_REVOCATION_DEFAULTS.cache.ttlMs / 1000;
  // A user's version and session entries are cached together and read back together (one statement).
  const readsPerSecond = settings.users / ttlSeconds;
  const worst = cached.reduce((a, b) => (a.rps < b.rps ? a : b));
  const fresh = (row) => (row.withinTtl ? row.withinTtl.storeReads.toFixed(4) : 'n/a');
  return [
    `Store reads of the cached rows: "store reads/req" in the table counts every read over the rounds, including the cache`,
    `TTL (${ttlSeconds} s by default): each of the ${settings.users} users' entries (its version and its session, read together in one`,
    'statement) is read again once per TTL of wall time (when a server lives that long), while each server is loaded only',
    'during its own slices, so those refreshes land on a fraction of the requests a server under constant load would',
    `serve. Under constant load they are`,
    `about ${readsPerSecond.toFixed(0)} reads/s, i.e. active users / (TTL x req/s): ${(readsPerSecond / worst.rps).toFixed(4)} reads/request at the slowest cached row`,
    `(${worst.label}, ${worst.platform}, ${Math.round(worst.rps)} req/s); fewer with fewer active users or more traffic per user. The`,
    `cached path's own reads are counted over one continuous ${settings.ttlProbe} s run right after each server's warmup, every entry younger`,
    `than the TTL: ${cached.map((r) => `${r.label} on ${r.platform} ${fresh(r)}`).join(', ')} store reads per request (the Targets use these).`,
    '',
  ];
}

/** CPU per request by component, for the rows profiled with BENCH_PROFILE=1. */
function profileSection(rows) {
  const profiled = rows.filter((r) => r.profile);
  if (profiled.length === 0) return [];
  const lines = [
    '## Where the server CPU goes (BENCH_PROFILE=1)',
    '',
    'Self time from a V8 CPU profile of an extra run after the last round\'s measured one (the measured numbers carry no',
    'profiling overhead), grouped by component; native frames count towards their JS caller. Microseconds per request.',
    '"JS" is every component but the socket syscalls and the idle time: the figure that moves least between runs.',
    '',
  ];
  const jsUs = (profile) =>
    profile.rows.filter((r) => r.category !== 'socket syscalls (kernel)').reduce((sum, r) => sum + r.perRequestUs, 0);
  lines.push('| row | platform | JS us/req | socket syscalls us/req | idle |', '| :-- | :-- | --: | --: | --: |');
  for (const row of profiled) {
    const syscalls = row.profile.rows.find((r) => r.category === 'socket syscalls (kernel)')?.perRequestUs ?? 0;
    lines.push(`| ${row.label} | ${row.platform} | ${jsUs(row.profile).toFixed(1)} | ${syscalls.toFixed(1)} | ${(row.profile.idleShare * 100).toFixed(0)}% |`);
  }
  lines.push('');
  for (const row of profiled) {
    lines.push(`**${row.label}, ${row.platform}**: ${row.profile.perRequestUs.toFixed(1)} us of CPU per request, server idle ${(row.profile.idleShare * 100).toFixed(0)}% of the run`, '');
    lines.push('| component | share | us/request |', '| :-- | --: | --: |');
    for (const r of row.profile.rows.filter((r) => r.share >= 0.005)) {
      lines.push(`| ${r.category} | ${(r.share * 100).toFixed(1)}% | ${r.perRequestUs.toFixed(1)} |`);
    }
    lines.push('');
  }
  return lines;
}

function markdown({ machine, versions, settings, rows, targets, propagation, notes }) {
  const versionLines = Object.entries(versions).map(([name, version]) => `| ${name} | ${version} |`);
  const propagationSection = propagation
    ? [
        `${propagation.revocations} revocations (\`logoutAll\` on instance A), each observed on instance B. Two Nest application`,
        'contexts in one process (one clock), sharing the SQLite database and one Redis channel, each with its own',
        '`RedisRevocationBroadcaster`. Before each revocation B had the user\'s version and session cached (verified twice).',
        '',
        '| measured | count | p50 ms | p99 ms | max ms |',
        '| :-- | --: | --: | --: | --: |',
        `| A publishes -> B's cache invalidated (propagation) | ${propagation.publishToApplied.count} | ${fixed(propagation.publishToApplied.p50, 3)} | ${fixed(propagation.publishToApplied.p99, 3)} | ${fixed(propagation.publishToApplied.max, 3)} |`,
        `| \`logoutAll()\` called on A -> B's cache invalidated (includes A's database writes) | ${propagation.callToApplied.count} | ${fixed(propagation.callToApplied.p50, 3)} | ${fixed(propagation.callToApplied.p99, 3)} | ${fixed(propagation.callToApplied.max, 3)} |`,
        '',
        `Invalidations never received within 1 s: ${propagation.lost}. Old tokens B still accepted after its invalidation: ${propagation.stillAccepted}.`,
        `Tokens not served from B's cache before the revocation (warm-up check): ${propagation.notCached}.`,
      ]
    : ['Not measured: ' + (notes.propagation ?? 'skipped') + '.'];
  const document = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (bench/run.js) on ${new Date().toISOString()}. Every ratio compares runs of the same`,
    'invocation on the same machine; absolute numbers depend on the machine, ratios much less.',
    '',
    '## What is measured',
    '',
    '`GET /me` answering the authenticated user as JSON, on Express and on Fastify:',
    '',
    '- **(a) no auth**: the same route without any guard (answers a fixed user); the ceiling.',
    "- **(a') trivial global guard**: (a) plus a global guard (`APP_GUARD`) that reads the `Authorization` header and lets",
    '  the request through: the floor any guard-based authentication in Nest pays.',
    "- **(b) passport-jwt**: the NestJS docs' recipe: `PassportStrategy(Strategy)` from passport-jwt with a string",
    "  `secretOrKey`, `@UseGuards(AuthGuard('jwt'))`, stateless (no logout possible). Tokens signed with jsonwebtoken.",
    '- **(c) library, cache off**: `JwtRevocationModule` on the TypeORM stores with `cache: { enabled: false }`: every',
    "  request reads the user's token version and its session from the database (in one statement: `readerWithSessions`):",
    '  SQLite (better-sqlite3, a temp file, WAL, `synchronous=NORMAL`) and PostgreSQL on 127.0.0.1 when available (a',
    '  `bench_<random>` database, dropped after). The verified-token memo stays on (it skips the signature check of a token',
    '  seen before, never the revocation check).',
    '- **(d) library, cache on**: the defaults (in-process cache and verified-token memo, this process only).',
    '- **(e) library, cache + Redis**: the defaults plus `broadcaster: new RedisRevocationBroadcaster({ connection })`.',
    '',
    'Library tokens come from `AuthTokenService.login()` (sessions on, the default with TypeORM), so each carries a',
    'session id and a request checks both the version and the session. ' +
      `${settings.users} users, one token each; every connection cycles through all of them. Tokens are fetched from the first`,
    'server of each kind and reused by later servers on the same database (same secret, same sessions table).',
    '',
    '### How the rows are compared',
    '',
    `Load: autocannon in its own process, ${settings.connections} connections, keep-alive. ${settings.rounds} round(s); each round starts a fresh server`,
    `process running every row of a platform as its own Nest app on its own port (then pinned: one server process's own`,
    settings.processPerRow
      ? 'speed differs from the next one\'s; this run: BENCH_PROCESS_PER_ROW=1, one process per row), warms each app up'
      : "speed differs from the next one's, so it is in both terms of every ratio), warms each app up",
    `with ${settings.warmup} s of load and one unmeasured slice, then measures every row for ${fixed(settings.duration / settings.rounds, 1)} s in slices`,
    `of about ${settings.slice} s taken row after row, pass`,
    'after pass (in reverse order every other pass). So each row is measured throughout the round, never in one block',
    "seconds away from the others, and a change in the machine's speed (on a VM, other guests on the host) touches every",
    "row alike. **Every ratio is paired**: computed inside one round from the two rows' slices, then the table shows the",
    'median of the per-round ratios and, in brackets, their lowest and highest: a ratio whose range is wide was taken on',
    `a noisy machine. "req/s", "p99" and the CPU figures are medians over the rounds. ${settings.pinning}`,
    '',
    '**The headline figure is CPU per request**, which does not depend on whether the server or the load generator set the',
    'pace: "user CPU us/req" is the server process\'s user-space CPU (`process.cpuUsage().user`: JavaScript, V8 and native',
    'code on every thread, kernel syscalls excluded) over the measured run, divided by the responses; "kernel us/req" is',
    'its system time (socket syscalls, and on loopback the load generator\'s receive path run in the server\'s syscall).',
    '"CPU vs (a)" is the paired ratio of (a)\'s user CPU per request to the row\'s: the req/s ratio the two rows would',
    'have if the server\'s CPU were the only limit. With `BENCH_PROFILE=1` the profile section splits the JavaScript',
    'CPU by component (library, its dependencies, Nest, the platform), the figure that moves least between runs.',
    '',
    '"JS thread" is the cores the server\'s main (JavaScript) thread used during the measured run (/proc, user + system):',
    'about 0.9 and up means that thread was saturated, i.e. the server, not autocannon, set the pace, and the req/s ratios',
    'are CPU ratios. Below that the row was bounded by something else (the load generator, the loopback wake-ups, the',
    'database), and its CPU figures are the ones to read. "store reads/req" is the library\'s own counter',
    '(`AuthTokenService.metrics().storeReads`) and "SQL/req" every statement TypeORM sent (a counting TypeORM logger),',
    'both read from the server before and after the measured run and divided by the responses received.',
    '"other CPU" is the CPU (in cores, steal included) that processes other than the server and the load generator',
    `used during the measured slices (the most of any round), from /proc/stat; rows above ${settings.otherCpuLimit} get a note.`,
    'On the PostgreSQL rows it includes the database server itself.',
    '',
    '## Machine',
    '',
    `- CPU: ${machine.model}, ${machine.nproc} logical cores (nproc)`,
    `- Memory: ${machine.memory}`,
    `- OS: ${machine.os}`,
    `- Node.js ${machine.node}`,
    `- 1-minute load average: ${fixed(machine.loadAtStart, 2)} before the run, ${fixed(machine.loadAtEnd, 2)} after (the run itself keeps about 2 busy)`,
    '',
    '| package | version |',
    '| :-- | :-- |',
    ...versionLines,
    '',
    '## Results',
    '',
    markdownTable(rows),
    '',
    ...platformNote(rows),
    ...cacheTtlNote(rows, settings),
    '![req/s by scenario and platform](benchmarks.svg)',
    '',
    '```text',
    asciiChart(rows),
    '```',
    '',
    '## Two runs',
    '',
    ...agreementSection(rows),
    '## Cross-instance propagation',
    '',
    ...propagationSection,
    '',
    '## Targets',
    '',
    ...targetLines(targets),
    '',
    ...profileSection(rows),
    ...(notes.list.length ? ['## Notes', '', ...notes.list.map((n) => `- ${n}`), ''] : []),
    '## Reproduce',
    '',
    '```sh',
    'npm run bench                        # builds the library and bench/, then the table and propagation (about 9 minutes)',
    'BENCH_ROUNDS=9 BENCH_DURATION=30 npm run bench   # more and longer rounds',
    "BENCH_ONLY=a,a-guard,b,d BENCH_PLATFORMS=fastify BENCH_WRITE_DOCS=0 npm run bench",
    'BENCH_PROFILE=1 BENCH_WRITE_DOCS=0 npm run bench   # adds a CPU profile per row (bench/.build/profiles)',
    'npm run bench:scale                  # the Scale section (PostgreSQL, 1M users; I/O heavy, about 10 minutes)',
    '```',
    '',
    '| setting | default | meaning |',
    '| :-- | :-- | :-- |',
    '| `BENCH_DURATION` | 17.5 | measured seconds per row, split over the rounds |',
    '| `BENCH_ROUNDS` | 7 | rounds, each on a fresh server process in interleaved slices through every row of a platform; ratios are taken per round |',
    '| `BENCH_PROCESS_PER_ROW` | off | `1`: one server process per row instead of one per platform and round |',
    '| `BENCH_WARMUP` | 1.5 | seconds of load on each server when it starts |',
    '| `BENCH_CONNECTIONS` | 10 | autocannon connections |',
    '| `BENCH_USERS` | 1000 | users (and tokens) the load cycles through |',
    '| `BENCH_REVOCATIONS` | 1000 | revocations in the propagation measurement |',
    "| `BENCH_ONLY` | all | comma list of `a`, `a-guard`, `b`, `c`, `c-pg`, `d`, `e`, `d-otel`, `c-pg-prisma`, `c-pg-drizzle`, `c-pg-mikro-orm`, `propagation`, `live` (the live-connections section: not in the default run) |",
    '| `BENCH_PLATFORMS` | `express,fastify` | platforms to run |',
    '| `BENCH_POSTGRES_URL` | `postgres://postgres@127.0.0.1:5432/test` | admin URL; a `bench_<random>` database is created and dropped; `off` skips |',
    '| `BENCH_REDIS_URL` | `redis://127.0.0.1:6379` | Redis for (e) and propagation; `off` skips |',
    '| `BENCH_TTL_PROBE` | 5 | seconds of the continuous run that counts a cached row\'s store reads within one cache TTL |',
    '| `BENCH_SLICE` | 0.6 | seconds per measured slice (a round takes each row\'s measured time in slices, row after row) |',
    '| `BENCH_OTEL` | off | `1`: adds the row `d-otel`, (d) with the OpenTelemetry metrics SDK and Prometheus exporter registered, paired with (d) round by round |',
    '| `BENCH_STORES` | off | `1`: adds the (c) rows through the Prisma, Drizzle and MikroORM stores (Fastify, PostgreSQL) |',
    '| `BENCH_PROFILE` | off | `1`: profile an extra run per row and summarise the CPU by component |',
    '| `BENCH_WRITE_DOCS` | on for a full run and for `BENCH_ONLY=live` (its section only); off for any other `BENCH_ONLY` | `0`: print only, leave docs/ alone; `1`: write docs/ from a `BENCH_ONLY` subset too (its table replaces the Results) |',
    '| `BENCH_BUILD` | on | `0`: reuse the last build of the library and bench/ (no `npm run build`) |',
    '',
  ].join('\n');
  return keepSections(document);
}

module.exports = { textTable, markdown, svgChart, targetLines };
