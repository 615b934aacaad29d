import { coalescer, parseEnvelope, type Bus, type BusHandlers, type BusLog } from './types';

const COALESCE_MS = 10;
const MAX_PAYLOAD = 64_000;

type RedisClient = {
  status: string;
  subscribe(channel: string): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): void;
  removeAllListeners(): void;
  quit(): Promise<unknown>;
  disconnect(): void;
};

/**
 * Redis pub/sub (when `realtime.redis.url` is set): a publishing and a subscribing connection of
 * `ioredis`, loaded only then (the app installs it). ioredis reconnects and subscribes again by
 * itself; pub/sub keeps nothing for a subscriber that was away, so each drop and each return is a
 * gap: local streams get `resync`.
 */
export const redisBus = (input: { instance: string; url: string; channel: string; log: BusLog }): Bus => {
  let handlers: BusHandlers | null = null;
  let pub: RedisClient | null = null;
  let sub: RedisClient | null = null;
  let down = false;
  let stopped = false;

  const outgoing = coalescer(
    COALESCE_MS,
    MAX_PAYLOAD,
    (payloads) => {
      for (const payload of payloads) {
        pub?.publish(input.channel, payload).catch((error: Error) => input.log.warn(`[private-messages] stream: Redis PUBLISH failed (${error.message})`));
      }
    },
    input.instance
  );

  const load = () => {
    try {
      return require('ioredis') as new (url: string, options: Record<string, unknown>) => RedisClient;
    } catch {
      throw new Error('realtime.adapter "redis" needs the ioredis package: npm install ioredis');
    }
  };

  return {
    name: 'redis',
    async start(h) {
      handlers = h;
      const Redis = load();
      pub = new Redis(input.url, { maxRetriesPerRequest: 2, enableOfflineQueue: false, lazyConnect: false });
      sub = new Redis(input.url, { maxRetriesPerRequest: null, autoResubscribe: true });
      pub.on('error', () => {});
      sub.on('error', (error: Error) => input.log.warn(`[private-messages] stream: Redis subscriber: ${error.message}`));
      sub.on('message', (channel: string, message: string) => {
        if (channel !== input.channel) return;
        const envelope = parseEnvelope(message);
        if (envelope && envelope.o !== input.instance) handlers?.receive(envelope.f);
      });
      sub.on('close', () => {
        if (stopped || down) return;
        down = true;
        handlers?.gap('Redis subscriber lost');
      });
      sub.on('ready', () => {
        if (!down || stopped) return;
        down = false;
        handlers?.gap('Redis subscriber reconnected');
      });
      await sub.subscribe(input.channel);
    },
    publish(fact) {
      if (!stopped) outgoing.add(fact);
    },
    async stop() {
      outgoing.flushNow();
      stopped = true;
      for (const c of [sub, pub]) {
        if (!c) continue;
        c.removeAllListeners();
        c.on('error', () => {});
        await c.quit().catch(() => c.disconnect());
      }
      pub = sub = null;
    },
  };
};
