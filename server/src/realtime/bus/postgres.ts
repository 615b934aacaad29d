import { coalescer, parseEnvelope, type Bus, type BusHandlers, type BusLog } from './types';

/** NOTIFY payloads must stay under 8,000 bytes; ours are ids. */
const MAX_PAYLOAD = 7000;
const COALESCE_MS = 25;
const MAX_BACKOFF_MS = 30_000;

type PgClient = {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: string, listener: (...args: any[]) => void): void;
  removeAllListeners(): void;
};

/**
 * PostgreSQL LISTEN/NOTIFY (the default on PostgreSQL). LISTEN holds a session of its own: one
 * dedicated `pg.Client`, never a pooled connection (a pool recycles it, a transaction-mode
 * PgBouncer cannot keep it). When it drops it is reconnected with backoff and LISTENs again, and
 * local streams get `resync` (notifications sent meanwhile are gone). NOTIFY runs through Strapi's
 * pool after the change committed, coalesced every 25 ms.
 */
export const postgresBus = (input: {
  instance: string;
  channel: string;
  /** pg.Client options or a connection string. */
  connection: unknown;
  /** Runs `select pg_notify(channel, payload)` outside any transaction. */
  notify: (channel: string, payload: string) => Promise<void>;
  log: BusLog;
}): Bus => {
  let handlers: BusHandlers | null = null;
  let client: PgClient | null = null;
  let stopped = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | null = null;
  let listenedBefore = false;

  const outgoing = coalescer(
    COALESCE_MS,
    MAX_PAYLOAD,
    (payloads) => {
      for (const payload of payloads) {
        input.notify(input.channel, payload).catch((error: Error) => input.log.warn(`[private-messages] stream: NOTIFY failed (${error.message}); other instances' streams resync when their listener notices`));
      }
    },
    input.instance
  );

  const lost = (c: PgClient, why: string) => {
    if (client !== c) return;
    client = null;
    c.removeAllListeners();
    c.on('error', () => {});
    c.end().catch(() => {});
    if (stopped) return;
    input.log.warn(`[private-messages] stream: PostgreSQL listener lost (${why}); reconnecting`);
    handlers?.gap('listener lost');
    scheduleReconnect();
  };

  const scheduleReconnect = () => {
    if (stopped || retryTimer) return;
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt) * (0.75 + Math.random() / 2);
    attempt += 1;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect().catch((error: Error) => {
        input.log.warn(`[private-messages] stream: PostgreSQL listener could not reconnect (${error.message})`);
        scheduleReconnect();
      });
    }, delay);
  };

  const connect = async () => {
    // pg is Strapi's PostgreSQL driver: present wherever this adapter is chosen.
    const { Client } = require('pg') as { Client: new (config: unknown) => PgClient };
    const c = new Client(input.connection);
    c.on('error', (error: Error) => lost(c, error.message));
    c.on('end', () => lost(c, 'connection ended'));
    c.on('notification', (msg: { channel: string; payload?: string }) => {
      if (msg.channel !== input.channel || !msg.payload) return;
      const envelope = parseEnvelope(msg.payload);
      if (envelope && envelope.o !== input.instance) handlers?.receive(envelope.f);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${input.channel}`);
    } catch (error) {
      c.removeAllListeners();
      c.on('error', () => {});
      c.end().catch(() => {});
      throw error;
    }
    if (stopped) {
      c.removeAllListeners();
      await c.end().catch(() => {});
      return;
    }
    client = c;
    attempt = 0;
    // Whatever was notified while nobody listened is lost: local streams refetch.
    if (listenedBefore) {
      input.log.info('[private-messages] stream: PostgreSQL listener reconnected');
      handlers?.gap('listener reconnected');
    }
    listenedBefore = true;
  };

  return {
    name: 'postgres',
    async start(h) {
      handlers = h;
      try {
        await connect();
      } catch (error) {
        // Boot goes on: local streams work, the others catch up once the listener is back.
        input.log.warn(`[private-messages] stream: PostgreSQL listener failed to start (${(error as Error).message}); retrying`);
        listenedBefore = true;
        scheduleReconnect();
      }
    },
    publish(fact) {
      if (!stopped) outgoing.add(fact);
    },
    async stop() {
      outgoing.flushNow();
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      const c = client;
      client = null;
      if (c) {
        c.removeAllListeners();
        c.on('error', () => {});
        await c.end().catch(() => {});
      }
    },
  };
};
