/** Behaviour tests boot a real Strapi (the playground app) per test file; unit tests are plain. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  maxWorkers: 2,
  // Each file loads a whole Strapi; recycle a worker before its memory piles up.
  workerIdleMemoryLimit: '512MB',
  testTimeout: 60_000,
};
