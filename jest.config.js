// Projects: unit specs beside the library source, e2e specs over HTTP under test/, and the stores:
// the store contract against every store on every database, and each store's module in an app.
const shared = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testEnvironment: 'node',
  moduleNameMapper: {
    '^nestjs-jwt-revocation$': '<rootDir>/libs/jwt-revocation/src',
    '^nestjs-jwt-revocation/(.*)$': '<rootDir>/libs/jwt-revocation/src/$1',
  },
};

module.exports = {
  testTimeout: 60000,
  // Prints which service-backed suites are skipped and which variable enables each.
  globalSetup: '<rootDir>/test/support/announce-services.js',
  projects: [
    { ...shared, displayName: 'unit', rootDir: __dirname, testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/src/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', rootDir: __dirname, testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
    {
      ...shared,
      displayName: 'stores',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/stores/**/*.spec.ts'],
      // The Prisma clients the tests use are generated offline first (test/stores/prisma/generated, gitignored).
      globalSetup: '<rootDir>/test/stores/prisma/generate-clients.js',
    },
  ],
};
