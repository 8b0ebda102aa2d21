#!/usr/bin/env bash
# Consumer smoke test: packs nestjs-jwt-revocation as npm would publish it, installs the tarball
# into fresh Nest apps outside the repo ({Nest 11, Nest 12} x {CommonJS, ES module}), type-checks
# a TypeScript consumer against it, boots each app on 127.0.0.1 and drives it over HTTP:
# login -> protected 200 -> claims, injected JwtService, session cap -> logoutAll -> same token
# 401 -> logoutEveryone. Then a Drizzle app and a Prisma 7 app adopt it on PostgreSQL the way the
# README's "Stores" section says. See test/consumer/README.md.
#
# Needs: Node >= 20.19, the repo's dev dependencies (npm ci) for tsc, the npm registry, and for the
# store apps PostgreSQL (SMOKE_POSTGRES_URL, else TEST_POSTGRES_URL, else 127.0.0.1:5432/test).
# Env: NEST_MAJORS="11 12" (which Nest majors), STORE_APPS="drizzle prisma" (which store apps),
# KEEP_WORK=1 (keep the temp dir for debugging).
set -uo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$REPO/test/consumer"
FIXTURES="$HERE/fixtures"
LIB="$REPO/libs/jwt-revocation"
TSC="$REPO/node_modules/.bin/tsc"
NEST_MAJORS="${NEST_MAJORS-11 12}"
KINDS="cjs esm"
STORE_APPS="${STORE_APPS-drizzle prisma}"
export SMOKE_POSTGRES_URL="${SMOKE_POSTGRES_URL:-${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/jwt-revocation-smoke.XXXXXX")"
cleanup() {
  [[ "${KEEP_WORK:-0}" == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT

passed=0
failed=0
started=$SECONDS

cells() {
  local nest kind
  for nest in $NEST_MAJORS; do for kind in $KINDS; do echo "nest$nest-$kind"; done; done
  for store in $STORE_APPS; do echo "store-$store"; done
}

# Everything below the package needs a good package: a setup failure fails every cell.
fail_setup() {
  echo "FAIL  setup: $1"
  [[ -n "${2:-}" && -f "$2" ]] && tail -n 30 "$2" | sed 's/^/      | /'
  local cell
  for cell in $(cells); do echo "FAIL  $cell (not run: setup failed)"; failed=$((failed + 1)); done
  echo "$passed passed, $failed failed"
  exit 1
}

node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  fail_setup "Node $(node -v) is too old: Nest 12 is ESM-only and a CommonJS app needs require(esm), on by default from Node 20.19"
[[ -x "$TSC" ]] || fail_setup "$TSC not found: run npm ci in $REPO first"
echo "Node $(node -v), npm $(npm -v 2>/dev/null), TypeScript $("$TSC" -v | cut -d' ' -f2); work dir $WORK$([[ "${KEEP_WORK:-0}" == 1 ]] && echo ' (kept)')"

# 1. Build into a clean staging copy of the package, so stale files in libs/jwt-revocation/dist
#    never reach the tarball and the repo's own dist is left alone for whoever is using it.
STAGE="$WORK/package"
mkdir -p "$STAGE" "$WORK/tarball"
"$TSC" -p "$LIB/tsconfig.lib.json" --outDir "$STAGE/dist" >"$WORK/build.log" 2>&1 ||
  fail_setup "library build failed" "$WORK/build.log"
for file in package.json README.md LICENSE; do
  [[ -f "$LIB/$file" ]] || fail_setup "libs/jwt-revocation/$file is missing"
  cp "$LIB/$file" "$STAGE/"
done

# 2. Pack it and check the tarball's contents.
(cd "$STAGE" && npm pack --json --ignore-scripts --pack-destination "$WORK/tarball" >"$WORK/pack.json" 2>"$WORK/pack.log") ||
  fail_setup "npm pack failed" "$WORK/pack.log"
node "$HERE/check-package.mjs" "$STAGE" "$WORK/pack.json" || fail_setup "the tarball is not what should be published"
TARBALL="$(ls "$WORK"/tarball/*.tgz)"

# 3. One fresh app per cell: install, type-check, boot and drive over HTTP.
run_cell() {
  local nest="$1" kind="$2" app="$WORK/apps/nest$1-$2" log="$WORK/nest$1-$2.log"
  mkdir -p "$app"
  cp "$FIXTURES/$kind/package.json" "$FIXTURES/$kind/main.js" "$FIXTURES/scenario.cjs" "$FIXTURES/app.cjs" "$app/"
  cp "$FIXTURES/types/consumer.ts" "$FIXTURES/types/tsconfig.node10.json" "$FIXTURES/types/tsconfig.nodenext.json" "$app/"

  # No typeorm, @nestjs/typeorm or ioredis: the app proves the core entry loads without them.
  (cd "$app" && npm install --prefer-offline --no-audit --no-fund --ignore-scripts --loglevel=error \
    "$TARBALL" "@nestjs/common@$nest" "@nestjs/core@$nest" "@nestjs/platform-express@$nest" "@nestjs/passport@$nest" "@nestjs/jwt@$nest" \
    passport@^0.7.0 passport-jwt@^4.0.1 reflect-metadata@^0.2.0 rxjs@^7.8.0) >"$log" 2>&1 || {
    echo "npm install failed" >>"$log"
    return 1
  }

  # ES module apps only meet nodenext; CommonJS apps also the classic "module": "commonjs" (node10).
  local configs="nodenext" config
  [[ "$kind" == cjs ]] && configs="node10 nodenext"
  for config in $configs; do
    echo "--- tsc -p tsconfig.$config.json" >>"$log"
    (cd "$app" && "$TSC" -p "tsconfig.$config.json") >>"$log" 2>&1 || {
      echo "type check ($config) failed" >>"$log"
      return 1
    }
  done
  echo "types OK: $configs" >>"$log"

  echo "--- node main.js" >>"$log"
  (cd "$app" && node main.js) >>"$log" 2>&1
}

# 4. One fresh app per store: the tarball, Nest 11, the ORM and its driver, adopted as the README says.
store_packages() {
  case "$1" in
    drizzle) echo "drizzle-orm@0.45.4 pg@8.23.1" ;;
    prisma) echo "prisma@7.10.1 @prisma/client@7.10.0 @prisma/adapter-pg@7.10.1 pg@8.23.1" ;;
  esac
}

# The app's schema.prisma: its User model with tokenVersion, and the JwtSession model printed from the installed package.
write_prisma_schema() {
  local app="$1"
  {
    printf 'generator client {\n  provider = "prisma-client-js"\n}\n\ndatasource db {\n  provider = "postgresql"\n}\n\n'
    printf 'model User {\n  id           Int    @id\n  email        String @db.VarChar(254)\n  tokenVersion Int    @default(0) @map("token_version")\n}\n\n'
    (cd "$app" && node -p "require('nestjs-jwt-revocation/prisma').JWT_SESSION_PRISMA_MODEL.postgresql")
  } >"$app/schema.prisma"
}

run_store_cell() {
  local store="$1" app="$WORK/apps/store-$1" log="$WORK/store-$1.log"
  mkdir -p "$app"
  cp "$FIXTURES/cjs/package.json" "$FIXTURES/scenario.cjs" "$FIXTURES/stores/store-app.cjs" "$app/"
  cp "$FIXTURES/stores/$store.js" "$app/main.js"
  # shellcheck disable=SC2046 # the package list is meant to split
  (cd "$app" && npm install --prefer-offline --no-audit --no-fund --ignore-scripts --loglevel=error \
    "$TARBALL" @nestjs/common@11 @nestjs/core@11 @nestjs/platform-express@11 @nestjs/passport@11 \
    passport@^0.7.0 passport-jwt@^4.0.1 reflect-metadata@^0.2.0 rxjs@^7.8.0 $(store_packages "$store")) >"$log" 2>&1 || {
    echo "npm install failed" >>"$log"
    return 1
  }
  if [[ "$store" == prisma ]]; then
    write_prisma_schema "$app" 2>>"$log" || return 1
    # Offline: generate never runs the schema engine, it only needs the file to exist.
    echo "--- prisma generate" >>"$log"
    (cd "$app" && PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/false}" PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1 \
      npx --no-install prisma generate --schema schema.prisma) >>"$log" 2>&1 || {
      echo "prisma generate failed" >>"$log"
      return 1
    }
  fi
  echo "--- node main.js" >>"$log"
  (cd "$app" && node main.js) >>"$log" 2>&1
}

for nest in $NEST_MAJORS; do
  for kind in $KINDS; do
    cell="nest$nest-$kind"
    cell_started=$SECONDS
    if run_cell "$nest" "$kind"; then
      passed=$((passed + 1))
      summary="$(grep -m1 '^OK ' "$WORK/$cell.log" | sed 's/^OK //')"
      echo "PASS  $cell ($((SECONDS - cell_started))s) $summary; types: $(grep -m1 '^types OK' "$WORK/$cell.log" | sed 's/^types OK: //')"
    else
      failed=$((failed + 1))
      echo "FAIL  $cell ($((SECONDS - cell_started))s), last lines of $cell.log:"
      tail -n 30 "$WORK/$cell.log" | sed 's/^/      | /'
    fi
  done
done

for store in $STORE_APPS; do
  cell="store-$store"
  cell_started=$SECONDS
  if run_store_cell "$store"; then
    passed=$((passed + 1))
    echo "PASS  $cell ($((SECONDS - cell_started))s) $(grep -m1 '^OK ' "$WORK/$cell.log" | sed 's/^OK //')"
  else
    failed=$((failed + 1))
    echo "FAIL  $cell ($((SECONDS - cell_started))s), last lines of $cell.log:"
    tail -n 30 "$WORK/$cell.log" | sed 's/^/      | /'
  fi
done

echo "total $((SECONDS - started))s"
echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
