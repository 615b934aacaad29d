/**
 * Browser tests of the admin panel (`npm run test:e2e`): a real Strapi serving the playground's
 * built admin panel, driven in Debian's headless chromium with playwright-core. One file at a time:
 * each boots a Strapi and a browser.
 */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/e2e/**/*.e2e.ts'],
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  maxWorkers: 1,
  // A fresh worker process for every file: a file's Strapi and the modules it loads (an ESM import
  // such as file-type's belongs to the loader of the file that made it) never reach the next file.
  workerIdleMemoryLimit: '1MB',
  testTimeout: 120_000,
};
