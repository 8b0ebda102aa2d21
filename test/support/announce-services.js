'use strict';
// Jest globalSetup: says, before anything runs, which service-backed suites this run skips and
// which variable turns each on (under CI=true a missing one fails the run instead).
const SERVICES = [
  ['TEST_POSTGRES_URL', 'PostgreSQL rows of every database suite, and the two-instance suites (with Redis)', 'postgres://postgres@127.0.0.1:5432/test'],
  ['TEST_MARIADB_URL', 'MariaDB rows of every database suite', 'mariadb://root@127.0.0.1:3306/test'],
  ['TEST_REDIS_URL', 'the two-instance suites (multi-instance and live-multi-instance, with PostgreSQL), the Redis broadcaster cases and microservices over Redis', 'redis://127.0.0.1:6379'],
];

module.exports = async function announceServices() {
  const missing = SERVICES.filter(([variable]) => !process.env[variable]);
  if (missing.length === 0) {
    console.log('\nService suites: all on (TEST_POSTGRES_URL, TEST_MARIADB_URL, TEST_REDIS_URL are set).');
    return;
  }
  const lines = missing.map(([variable, what, example]) => `  - ${what}: set ${variable} (e.g. ${example})`);
  const ci = process.env.CI === 'true' ? ' CI=true: these suites will FAIL, not skip.' : '';
  console.log(`\nSkipped in this run (SQLite runs always):${ci}\n${lines.join('\n')}\n`);
};
