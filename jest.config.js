// Two projects: unit specs beside the library source, e2e specs over HTTP under test/.
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
  ],
};
