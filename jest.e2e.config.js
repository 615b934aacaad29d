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
  testTimeout: 120_000,
};
