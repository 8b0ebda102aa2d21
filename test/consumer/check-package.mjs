// Checks what `npm pack` put in the tarball: compiled JavaScript, declarations, README, LICENSE
// and package.json only, and every entry point named by package.json present.
// Usage: node check-package.mjs <staged package dir> <output of `npm pack --json`>
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';

const { join } = posix;

const [packageDir, packJsonPath] = process.argv.slice(2);
const [pack] = JSON.parse(readFileSync(packJsonPath, 'utf8'));
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const files = new Set(pack.files.map((file) => file.path));
const problems = [];
const warnings = [];

const ALWAYS = new Set(['package.json', 'README.md', 'LICENSE']);
for (const file of files) {
  if (ALWAYS.has(file)) continue;
  if (!/^dist\/.+(\.d\.ts|\.js)$/.test(file)) problems.push(`unexpected file in tarball: ${file}`);
  else if (/\.(spec|test|e2e-spec)\.(js|d\.ts)$/.test(file)) problems.push(`test file in tarball: ${file}`);
}
for (const file of ALWAYS) if (!files.has(file)) problems.push(`missing from tarball: ${file}`);

/** Every file path package.json points at: main, types, exports targets, typesVersions targets. */
function targets() {
  const found = [manifest.main, manifest.types];
  const walk = (value) => {
    if (typeof value === 'string') found.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  walk(manifest.typesVersions);
  return found.filter(Boolean).map((target) => target.replace(/^\.\//, ''));
}
for (const target of new Set(targets())) {
  if (!files.has(target)) problems.push(`package.json points at ${target}, which is not in the tarball`);
}
for (const subpath of ['.', './typeorm', './redis', './postgres', './nats', './prisma', './drizzle', './mikro-orm', './testing']) {
  if (!manifest.exports || !manifest.exports[subpath]) problems.push(`exports has no "${subpath}" entry`);
}

// A sourceMappingURL comment naming a map that is not shipped makes bundlers and debuggers warn.
const dangling = [...files].filter((file) => {
  if (!file.endsWith('.js') || !existsSync(join(packageDir, file))) return false;
  const match = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(packageDir, file), 'utf8'));
  return match && !match[1].startsWith('data:') && !files.has(join(file, '..', match[1]));
});
if (dangling.length > 0) {
  warnings.push(
    `${dangling.length} .js files end with a sourceMappingURL whose .map is not shipped (e.g. ${dangling[0]}); ` +
      'set "sourceMap": false in libs/jwt-revocation/tsconfig.lib.json',
  );
}

for (const warning of warnings) console.log(`WARN  package: ${warning}`);
if (problems.length > 0) {
  for (const problem of problems) console.log(`FAIL  package: ${problem}`);
  process.exit(1);
}
const kinds = (suffix) => [...files].filter((file) => file.endsWith(suffix)).length;
console.log(
  `OK    package: ${pack.filename} (${(pack.size / 1024).toFixed(1)} kB, ${files.size} files: ` +
    `${kinds('.d.ts')} .d.ts, ${kinds('.js')} .js, README.md, LICENSE, package.json); exports . ./typeorm ./redis ./postgres ./nats ./prisma ./drizzle ./mikro-orm ./testing resolve`,
);
