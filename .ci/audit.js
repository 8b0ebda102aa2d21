// Fails on a known high or critical vulnerability in the production dependency tree. When the
// registry's advisory endpoint cannot be reached (this workplace's registry answers 405), says so
// loudly and does not pretend the tree was audited.
const { spawnSync } = require('node:child_process');

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error('npm audit printed no JSON:', run.stderr.trim());
  process.exit(1);
}
const counts = report.metadata?.vulnerabilities;
if (!counts) {
  console.warn(`AUDIT NOT RUN: the advisory endpoint answered ${report.statusCode ?? '?'} (${report.message ?? 'no message'}).`);
  process.exit(0);
}
const serious = (counts.high ?? 0) + (counts.critical ?? 0);
console.log(`npm audit (production): ${JSON.stringify(counts)}`);
if (serious > 0) {
  console.error(`${serious} high/critical vulnerabilities in the production dependency tree`);
  process.exit(1);
}
