'use strict';
// docs/benchmarks.md is rewritten by every `npm run bench`; the sections between markers
// (`<!-- name:start -->` ... `<!-- name:end -->`) are not: the OpenTelemetry record, the Scale section
// (written by `npm run bench:scale`) and the hand-kept analysis survive, and `npm run bench` keeps the
// previous run's ratios (docs/benchmarks.json) to show how far two runs agree.
const fs = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./paths');

const DOCS = path.join(ROOT, 'docs');
const KEPT = ['otel', 'scale', 'analysis'];
const start = (name) => `<!-- ${name}:start -->`;
const end = (name) => `<!-- ${name}:end -->`;

function sectionOf(document, name) {
  const from = document.indexOf(start(name));
  const to = document.indexOf(end(name));
  return from === -1 || to < from ? undefined : document.slice(from, to + end(name).length);
}

/** `document` with section `name` set to `content` (replaced where it is, else inserted before "## Reproduce"). */
function withSection(document, name, content) {
  const block = `${start(name)}\n${content.trim()}\n${end(name)}`;
  const existing = sectionOf(document, name);
  if (existing) return document.replace(existing, () => block);
  const at = document.indexOf('## Reproduce');
  return at === -1 ? `${document}\n${block}\n` : `${document.slice(0, at)}${block}\n\n${document.slice(at)}`;
}

/** The live-connections section (bench/lib/socket-propagation.js): at the end, replaced there when `npm run bench` measures it. */
const LIVE = ['<!-- live-connections:begin -->', '<!-- live-connections:end -->'];

/** The kept sections of the current docs/benchmarks.md, carried into a newly generated one. */
function keepSections(generated) {
  let previous = '';
  try {
    previous = fs.readFileSync(path.join(DOCS, 'benchmarks.md'), 'utf8');
  } catch {
    return generated;
  }
  let document = generated;
  for (const name of KEPT) {
    const section = sectionOf(previous, name);
    if (section) document = withSection(document, name, section.slice(start(name).length, -end(name).length));
  }
  const [liveFrom, liveTo] = [previous.indexOf(LIVE[0]), previous.indexOf(LIVE[1])];
  if (liveFrom !== -1 && liveTo > liveFrom && !document.includes(LIVE[0])) {
    document = `${document.replace(/\n*$/, '')}\n\n${previous.slice(liveFrom, liveTo + LIVE[1].length)}\n`;
  }
  return document;
}

/** Each row's paired ratios, as the next run reads them back. */
function runRecord(rows) {
  const record = { date: new Date().toISOString(), rows: {} };
  for (const row of rows.filter((r) => !r.skipped && r.ratios)) {
    const ratios = {};
    for (const [base, value] of Object.entries(row.ratios)) if (value) ratios[base] = value.median;
    record.rows[`${row.id}/${row.platform}`] = { label: row.label, platform: row.platform, ratios, cpuUserPerRequestUs: row.cpuUserPerRequestUs };
  }
  return record;
}

function previousRecord() {
  try {
    return JSON.parse(fs.readFileSync(path.join(DOCS, 'benchmarks.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

function writeRunRecord(rows) {
  fs.writeFileSync(path.join(DOCS, 'benchmarks.json'), `${JSON.stringify(runRecord(rows), null, 2)}\n`);
}

/** Markdown lines comparing this run's ratios with the previous run's (docs/benchmarks.json). */
function agreementSection(rows, previous = previousRecord()) {
  if (!previous) return ['Not available: no previous run recorded (docs/benchmarks.json).', ''];
  const current = runRecord(rows).rows;
  const lines = [
    `This run against the previous one (${previous.date}): each row's median paired ratio in both, and how far apart`,
    'they are. The instrument is meant to keep every ratio within 10% between two default runs.',
    '',
    '| row | platform | ratio | previous | this run | difference |',
    '| :-- | :-- | :-- | --: | --: | --: |',
  ];
  let worst = 0;
  for (const [key, row] of Object.entries(current)) {
    const before = previous.rows?.[key];
    if (!before) continue;
    for (const [base, value] of Object.entries(row.ratios)) {
      if (base.endsWith(':cpu') || base === row.id || key.startsWith(`${base}/`)) continue;
      const old = before.ratios?.[base];
      if (!Number.isFinite(old) || !Number.isFinite(value)) continue;
      const difference = value / old - 1;
      worst = Math.max(worst, Math.abs(difference));
      lines.push(`| ${row.label} | ${row.platform} | vs (${base === 'a-guard' ? "a'" : base}) | ${old.toFixed(2)}x | ${value.toFixed(2)}x | ${(difference * 100).toFixed(1)}% |`);
    }
  }
  lines.push('', `Largest difference: ${(worst * 100).toFixed(1)}% (${worst <= 0.1 ? 'within' : 'OUTSIDE'} 10%).`, '');
  return lines;
}

module.exports = { keepSections, withSection, writeRunRecord, agreementSection, DOCS };
