import type { Bus } from './types';

/** One instance (the default on SQLite): the publishing instance handles its own facts; nobody else to tell. */
export const memoryBus = (): Bus => ({
  name: 'memory',
  async start() {},
  publish() {},
  async stop() {},
});
