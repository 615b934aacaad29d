/** Behaviour tests boot a real Strapi (the playground app) per test file; unit tests are plain. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  maxWorkers: 2,
  // Each file loads a whole Strapi; recycle a worker before its memory piles up.
  workerIdleMemoryLimit: '512MB',
  // MySQL/MariaDB creates Strapi's tables one DDL statement at a time: a boot takes several times longer.
  testTimeout: process.env.DATABASE_CLIENT === 'mysql' ? 180_000 : 60_000,
};
