'use strict';
// Where a server's CPU time went during a profiled run (BENCH_PROFILE=1): self time grouped by
// component, in microseconds per request. Native frames count towards the JS frame that called
// them (HMAC towards crypto, JSON.parse towards its caller), except the socket syscalls.
// Also usable alone: node bench/profile-summary.js file.cpuprofile [requests]
const fs = require('node:fs');

const SYSCALLS = new Set(['writev', 'writeUtf8String', 'writeLatin1String', 'writeBuffer', 'readStart', 'readStop', 'shutdown']);
const GROUPS = [
  ['nestjs-jwt-revocation', (url) => url.includes('/libs/jwt-revocation/')],
  ['fast-jwt (library dependency)', (url) => /node_modules\/(fast-jwt|mnemonist|asn1\.js|obliterator)\//.test(url)],
  ['node crypto', (url) => url.startsWith('node:internal/crypto')],
  ['passport + passport-jwt + jsonwebtoken', (url) => /node_modules\/(@nestjs\/passport|passport|passport-jwt|passport-strategy|jsonwebtoken|jws|jwa|buffer-equal-constant-time|safe-buffer|semver|lodash\.[a-z]+|ms)\//.test(url)],
  ['TypeORM + driver', (url) => /node_modules\/(typeorm|better-sqlite3|pg|pg-[a-z]+|@sqltools)\//.test(url)],
  ['NestJS', (url) => /node_modules\/(@nestjs\/(core|common|platform-express|platform-fastify)|reflect-metadata|rxjs|tslib|iterare)\//.test(url)],
  ['Express', (url) => /node_modules\/(express|router|body-parser|finalhandler|send|on-finished|parseurl|path-to-regexp|qs|type-is|content-type|raw-body|etag|fresh|accepts|negotiator|mime-types|depd|debug|statuses|cookie|encodeurl|escape-html|vary|media-typer|content-disposition|proxy-addr|forwarded|ipaddr\.js|range-parser|merge-descriptors|is-promise|utils-merge|setprototypeof|inherits|iconv-lite|bytes|http-errors|unpipe|once|wrappy|ee-first|toidentifier|destroy|side-channel[a-z-]*|object-inspect|es-[a-z-]+|get-intrinsic|call-bind[a-z-]*|has-symbols|gopd|function-bind|hasown|math-intrinsics|dunder-proto|get-proto)\//.test(url)],
  ['Fastify', (url) => /node_modules\/(fastify|@fastify\/[a-z-]+|find-my-way|light-my-request|avvio|fast-json-stringify|fast-querystring|secure-json-parse|abstract-logging|pino[a-z-]*|process-warning|rfdc|toad-cache|fast-decode-uri-component|ret|safe-regex2|content-type|json-schema-ref-resolver)\//.test(url)],
  ['bench app code', (url) => url.includes('/bench/.build/')],
  ['Node http + streams', (url) => url.startsWith('node:')],
];

function categoryOf(node, parents) {
  let current = node;
  while (current) {
    const { url, functionName } = current.callFrame;
    if (!url) {
      if (current === node && functionName === '(idle)') return 'idle';
      if (current === node && functionName === '(garbage collector)') return 'garbage collector';
      if (current === node && functionName === '(program)') return 'V8/native (unattributed)';
      if (current === node && SYSCALLS.has(functionName)) return 'socket syscalls (kernel)';
    } else {
      const url2 = url.replace(/^file:\/\//, '');
      const group = GROUPS.find(([, test]) => test(url2));
      return group ? group[0] : 'other JS';
    }
    current = parents.get(current.id);
  }
  return 'V8/native (unattributed)';
}

/** { busyUs, perRequestUs, rows: [{ category, share, perRequestUs }] } for one profile. */
function summarize(profile, requests) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const time = new Map();
  profile.samples.forEach((id, i) => {
    const category = categoryOf(nodes.get(id), parents);
    time.set(category, (time.get(category) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const busy = [...time].filter(([c]) => c !== 'idle').reduce((sum, [, t]) => sum + t, 0);
  const rows = [...time]
    .filter(([c]) => c !== 'idle')
    .sort((a, b) => b[1] - a[1])
    .map(([category, t]) => ({ category, share: t / busy, perRequestUs: t / requests }));
  const total = [...time.values()].reduce((a, b) => a + b, 0);
  return { busyUs: busy, idleShare: (time.get('idle') ?? 0) / total, perRequestUs: busy / requests, rows };
}

function formatSummary(title, summary) {
  const lines = [`${title}: ${summary.perRequestUs.toFixed(1)} us of CPU per request (server idle ${(summary.idleShare * 100).toFixed(0)}% of the run)`];
  for (const row of summary.rows) {
    lines.push(`  ${row.category.padEnd(40)} ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.perRequestUs.toFixed(1).padStart(6)} us/req`);
  }
  return lines.join('\n');
}

module.exports = { summarize, formatSummary };

if (require.main === module) {
  const [file, requests] = process.argv.slice(2);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  console.log(formatSummary(file, summarize(profile, Number(requests) || 1)));
}
