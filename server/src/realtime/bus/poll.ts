import { coalescer, parseEnvelope, type Bus, type BusHandlers, type BusLog } from './types';

/** Rows are kept this long; an instance that could not read for longer resyncs. */
const RETENTION_MS = 10 * 60_000;
const PRUNE_EVERY_MS = 60_000;
const COALESCE_MS = 25;
const MAX_PAYLOAD = 60_000;
/**
 * Ids are given at insert but rows become visible at commit, which concurrent inserts may do out
 * of order: each read looks this many ids back and skips the ones it already handled.
 */
const LOOKBACK_IDS = 64;
const READ_LIMIT = 500;

export type PollStore = {
  insert(origin: string, payload: string): Promise<unknown>;
  maxId(): Promise<number>;
  after(id: number, limit: number): Promise<{ id: number; origin: string; payload: string }[]>;
  prune(before: Date): Promise<unknown>;
};

/**
 * Polling the database (the default on MySQL/MariaDB, which have no LISTEN): each batch of facts
 * is one row of pm_stream_events; every instance reads the rows above its high-water mark once per
 * interval, one primary-key range scan per instance, whatever the number of streams.
 */
export const pollBus = (input: { instance: string; intervalMs: number; store: PollStore; log: BusLog }): Bus => {
  let handlers: BusHandlers | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let highWater = 0;
  let seen = new Set<number>();
  let failingSince: number | null = null;
  let lastPrune = 0;
  let running: Promise<void> | null = null;

  const outgoing = coalescer(
    COALESCE_MS,
    MAX_PAYLOAD,
    (payloads) => {
      for (const payload of payloads) {
        input.store.insert(input.instance, payload).catch((error: Error) => input.log.warn(`[private-messages] stream: could not publish (${error.message})`));
      }
    },
    input.instance
  );

  const readOnce = async () => {
    let rows = await input.store.after(Math.max(0, highWater - LOOKBACK_IDS), READ_LIMIT);
    while (rows.length > 0) {
      const facts = [];
      for (const row of rows) {
        if (seen.has(row.id)) continue;
        seen.add(row.id);
        highWater = Math.max(highWater, row.id);
        const envelope = parseEnvelope(row.payload);
        if (envelope && envelope.o !== input.instance) facts.push(...envelope.f);
      }
      if (facts.length > 0) handlers?.receive(facts);
      if (rows.length < READ_LIMIT) break;
      rows = await input.store.after(rows[rows.length - 1].id, READ_LIMIT);
    }
    seen = new Set([...seen].filter((id) => id > highWater - LOOKBACK_IDS));
  };

  const tick = async () => {
    try {
      await readOnce();
      if (failingSince !== null) {
        failingSince = null;
        handlers?.gap('polling recovered');
      }
      if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
        lastPrune = Date.now();
        await input.store.prune(new Date(Date.now() - RETENTION_MS));
      }
    } catch (error) {
      if (failingSince === null) {
        failingSince = Date.now();
        input.log.warn(`[private-messages] stream: polling failed (${(error as Error).message})`);
        handlers?.gap('polling failed');
      }
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = null;
        schedule();
      });
    }, input.intervalMs);
  };

  return {
    name: 'poll',
    async start(h) {
      handlers = h;
      try {
        highWater = await input.store.maxId();
      } catch (error) {
        failingSince = Date.now();
        input.log.warn(`[private-messages] stream: polling could not start (${(error as Error).message}); retrying`);
      }
      schedule();
    },
    publish(fact) {
      if (!stopped) outgoing.add(fact);
    },
    async stop() {
      outgoing.flushNow();
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
};
