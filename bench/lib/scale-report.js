'use strict';
// The Scale section of docs/benchmarks.md, from the JSON bench/src/scale.ts prints.

const n = (value, digits = 0) => (Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
const ms = (value) => n(value, 2);

function throughputRows(report) {
  const rows = [];
  for (const db of ['postgresql', 'sqlite'].filter((name) => report[name])) {
    const r = report[db];
    const label = db === 'postgresql' ? `PostgreSQL (${n(report.users)} users, ${n(report.liveSessions + report.endedSessions)} sessions)` : 'SQLite (1,000 users)';
    rows.push(`| ${label} | cache-miss check, one at a time | ${n(r.missCheckSequential.count)} | - | ${ms(r.missCheckSequential.p50)} | ${ms(r.missCheckSequential.p99)} |`);
    rows.push(`| ${label} | cache-miss check, ${report.concurrency} at a time | ${n(r.missCheckConcurrent.count)} | ${n(r.missCheckConcurrent.perSecond)} | ${ms(r.missCheckConcurrent.p50)} | ${ms(r.missCheckConcurrent.p99)} |`);
    rows.push(`| ${label} | \`login()\` (session insert, no password hash) | ${n(r.login.count)} | ${n(r.login.perSecond)} | ${ms(r.login.p50)} | ${ms(r.login.p99)} |`);
    rows.push(`| ${label} | \`refresh()\` (rotation) | ${n(r.refresh.count)} | ${n(r.refresh.perSecond)} | ${ms(r.refresh.p50)} | ${ms(r.refresh.p99)} |`);
  }
  return rows;
}

function scaleSection(report) {
  const pg = report.postgresql;
  const purge = report.purge;
  const memory = report.memory;
  return [
    '## Scale',
    '',
    `Taken by \`npm run bench:scale\` (bench/scale.js) on ${report.date}, one run of ${n(report.minutes, 1)} minutes, ${report.secondsPerMeasurement} s per`,
    `measurement, ${report.concurrency} concurrent callers, in-process (the library called directly, no HTTP), on PostgreSQL on 127.0.0.1 in a`,
    `database the script created and dropped. 1-minute load average ${n(report.loadAverage.start, 2)} at the start, ${n(report.loadAverage.end, 2)} at the end`,
    '(the machine is shared: absolute figures carry that load; plans and ratios much less).',
    ...(report.rerun
      ? [
          '',
          `Re-run on ${report.rerun.date} (${n(report.rerun.minutes, 1)} minutes, load average ${n(report.rerun.loadAverage.start, 2)} to ${n(report.rerun.loadAverage.end, 2)}, ` +
            `${n(report.rerun.users)} users, ${n(report.rerun.endedSessions)} ended sessions) for: ${report.rerun.parts.join(', ')} (\`SCALE_PARTS\`); the rest is from the run above.`,
        ]
      : []),
    '',
    `Data: ${n(report.users)} users, ${n(report.liveSessions)} live sessions and ${n(report.endedSessions)} ended ones (revoked, expired or idle,`,
    `two days ago), generated with \`INSERT ... SELECT generate_series\` (users ${n(report.seed.users / 1000, 1)} s, live sessions ${n(report.seed['live sessions'] / 1000, 1)} s,`,
    `ended sessions ${n(report.seed['ended sessions'] / 1000, 1)} s); \`jwt_sessions\` ${report.seed.sessionsTableSize} with its indexes, \`users\` ${report.seed.usersTableSize}.`,
    '',
    '### Checks, logins and refreshes',
    '',
    'Cache-miss check: `cache: { enabled: false }`, tokens of random users, so each check is the one statement that',
    'reads the version and the session together (`readerWithSessions`), plus the library\'s own work.',
    '',
    '| database | operation | calls | per second | p50 ms | p99 ms |',
    '| :-- | :-- | --: | --: | --: | --: |',
    ...throughputRows(report),
    '',
    'Logins in the demo app also hash the password (argon2id), on purpose slow (tens of ms); `login()` above is the',
    'library\'s part only. A refresh verifies nothing expensive: it is one conditional `UPDATE` plus the new tokens.',
    '',
    `The cache-miss statement and its plan (\`EXPLAIN (ANALYZE, BUFFERS)\` on ${n(report.liveSessions + report.endedSessions)} sessions): two primary-key lookups.`,
    '',
    '```sql',
    pg?.missCheckStatement?.query ?? '-',
    '```',
    '',
    '```text',
    pg?.explain ?? '-',
    '```',
    '',
    '### The cache under pressure',
    '',
    'Default cache (`maxEntries` 10,000, shared by versions and sessions: two entries per active user) with users',
    `spread evenly, every one equally active (the worst case for a cache). Tokens of each active user signed once; checks in-process.`,
    '',
    '| active users | cache hit rate | checks per second | p50 ms | p99 ms |',
    '| --: | --: | --: | --: | --: |',
    ...report.cache.map((c) => `| ${n(c.active)} | ${(c.hitRate * 100).toFixed(1)}% | ${n(c.checksPerSecond)} | ${ms(c.p50)} | ${ms(c.p99)} |`),
    '',
    memory.cacheBytesPerUser
      ? `Memory (V8 heap, \`gc()\` before and after ${n(memory.users)} users were verified once, i.e. a full default cache of 10,000 entries): ` +
        `${n(memory.cacheBytesPerUser)} bytes per active user in the revocation cache (its version and session entries, ${n(memory.cacheBytesPerUser / 2)} per entry), ` +
        `so ${n((memory.cacheBytesPerUser * 5000) / 1048576, 1)} MiB at the default \`maxEntries\` (10,000); and ${n(memory.memoBytesPerToken)} bytes per memoized token ` +
        `(${memory.tokenLength} characters), so ${n((memory.memoBytesPerToken * 10000) / 1048576, 1)} MiB at the memo's default 10,000 entries (its \`maxBytes\` estimate, 16 MiB, is a ceiling above that).`
      : `Memory: ${memory.note}.`,
    '',
    '### The purge',
    '',
    `\`SessionStore.purge()\` (what \`SessionPurger\` runs every \`sessions.purgeIntervalMs\`) on ${n(purge.sessionsBefore)} sessions while ${report.concurrency} callers`,
    'kept checking tokens (cache off: every check reads `jwt_sessions`). It walks the primary key in ranges of',
    `${n(purge.rowsScannedPerBatch)} rows, one short \`DELETE\` per range (bench/../sql/purge-in-batches.ts), never one statement for everything.`,
    '',
    '| measured | value |',
    '| :-- | --: |',
    `| sessions deleted | ${n(purge.purged)} (${n(purge.sessionsAfter)} left) |`,
    `| run time | ${n(purge.seconds, 1)} s |`,
    `| DELETE statements | ${n(purge.batches)}, ${n(purge.rowsDeletedPerBatch)} rows deleted each on average |`,
    `| one DELETE, p50 / p99 / max | ${ms(purge.deleteMs.p50)} / ${ms(purge.deleteMs.p99)} / ${ms(purge.deleteMs.max)} ms |`,
    `| range bound lookup, p50 / p99 | ${ms(purge.boundMs.p50)} / ${ms(purge.boundMs.p99)} ms |`,
    `| checks before the purge: per second, p50, p99 | ${n(purge.checksBefore.perSecond)}, ${ms(purge.checksBefore.p50)} ms, ${ms(purge.checksBefore.p99)} ms |`,
    `| checks during the purge: per second, p50, p99 | ${n(purge.checksDuring.perSecond)}, ${ms(purge.checksDuring.p50)} ms, ${ms(purge.checksDuring.p99)} ms |`,
    '',
    'A check never waits for the purge\'s row locks (it reads; PostgreSQL readers do not block on writers), so what slows',
    'traffic during a purge is the shared CPU and disk; the longest single statement bounds how long any row stays locked.',
    '',
  ].join('\n');
}

module.exports = { scaleSection };
