import type { RealtimeConfig } from '../../config/defaults';
import { memoryBus } from './memory';
import { pollBus, type PollStore } from './poll';
import { postgresBus } from './postgres';
import { redisBus } from './redis';
import type { Bus, BusLog } from './types';

export type { Bus, Fact } from './types';

/**
 * What the site's database offers a bus (the repositories' dialect answers it): `listenNotify`,
 * notifications between its sessions (PostgreSQL); `sharedByProcesses`, whether other instances
 * may use it too (not a SQLite file).
 */
export type BusDatabase = { listenNotify: boolean; sharedByProcesses: boolean };

/**
 * The bus `realtime.adapter` names; `auto`: Redis when a URL is configured, else the database's
 * LISTEN/NOTIFY where it has it (PostgreSQL), polling a table where other processes share the
 * database (MySQL/MariaDB), this process only otherwise (SQLite).
 */
export const chooseAdapter = (config: RealtimeConfig, database: BusDatabase) => {
  if (config.adapter !== 'auto') return config.adapter;
  if (config.redis.url) return 'redis';
  return database.listenNotify ? 'postgres' : database.sharedByProcesses ? 'poll' : 'memory';
};

export const createBus = (input: {
  config: RealtimeConfig;
  database: BusDatabase;
  instance: string;
  log: BusLog;
  /** Strapi's own PostgreSQL connection settings. */
  pgConnection: () => unknown;
  notify: (channel: string, payload: string) => Promise<void>;
  pollStore: PollStore;
}): Bus => {
  const { config, instance, log } = input;
  switch (chooseAdapter(config, input.database)) {
    case 'redis':
      if (!config.redis.url) throw new Error('realtime.adapter "redis" needs realtime.redis.url');
      return redisBus({ instance, url: config.redis.url, channel: config.redis.channel, log });
    case 'postgres':
      if (!input.database.listenNotify && !config.postgres.connectionString) {
        throw new Error('realtime.adapter "postgres" needs PostgreSQL (or realtime.postgres.connectionString)');
      }
      return postgresBus({
        instance,
        channel: config.postgres.channel,
        // application_name: an operator (or a test) can tell this instance's listener in pg_stat_activity.
        connection: {
          ...(config.postgres.connectionString ? { connectionString: config.postgres.connectionString } : (input.pgConnection() as object)),
          application_name: `pm_stream_${instance}`,
        },
        notify: input.notify,
        log,
      });
    case 'poll':
      return pollBus({ instance, intervalMs: config.pollIntervalMs, store: input.pollStore, log });
    default:
      return memoryBus();
  }
};
