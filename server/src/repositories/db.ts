import type { Db } from './dialect';

/*
 * The plugin's tables and what every repository does to rows, the same on every database; what
 * differs between SQLite, PostgreSQL and MySQL/MariaDB is in dialect/.
 */

/** A knex handle: the connection itself or a transaction. Every repository function takes one. */
export type { Db };

export const TABLES = {
  threads: 'pm_threads',
  messages: 'pm_messages',
  memberships: 'pm_memberships',
  membershipTags: 'pm_memberships_tags_lnk',
  tags: 'pm_tags',
  blocks: 'pm_blocks',
  preferences: 'pm_preferences',
  reports: 'pm_reports',
  outbox: 'pm_outbox',
  suspensions: 'pm_suspensions',
  streamTickets: 'pm_stream_tickets',
  streamEvents: 'pm_stream_events',
  idempotencyKeys: 'pm_idempotency_keys',
  contextAsks: 'pm_context_asks',
  contacts: 'pm_contacts',
  pushSubscriptions: 'pm_push_subscriptions',
  attachments: 'pm_attachments',
} as const;

/* Drivers disagree on types: SQLite hands back 0/1 and epoch milliseconds, PostgreSQL
   strings for counts. These normalize what the repositories return. */
export const toBool = (v: unknown) => v === true || v === 1 || v === '1' || v === 't';
export const toInt = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
export const toIso = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  const d = v instanceof Date ? v : new Date(typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : (v as string | number));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};
export const toMillis = (v: unknown): number => new Date(toIso(v) ?? 0).getTime();

/** Columns Strapi expects on every content-type row we insert ourselves. */
export const strapiColumns = (documentId: string, now: Date) => ({
  document_id: documentId,
  created_at: now,
  updated_at: now,
  published_at: now,
});

/**
 * Lets timers and I/O run before going on: SQLite's driver is synchronous, so a long series of
 * statements would block the event loop. One setImmediate is not enough: called from an I/O
 * callback, it runs in the same turn's check phase, before any timer; the second one, queued
 * from the check phase, waits for the next turn (timers, then I/O, then it). Measured: with one,
 * a 1,000-member delivery ran up to four 10 ms chunks back to back.
 */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * Inserts rows in chunks so no single statement exceeds the drivers' bind-parameter limits;
 * with `yieldBetween`, gives the event loop a turn between chunks. `toRows` builds each chunk's
 * rows just before its insert, so building 10,000 rows is spread over the turns too.
 */
export const insertInChunks = async <T = Record<string, unknown>>(
  db: Db,
  table: string,
  items: T[],
  {
    size = 400,
    yieldBetween = false,
    toRows = (chunk: T[]) => chunk as unknown as Record<string, unknown>[],
  }: { size?: number; yieldBetween?: boolean; toRows?: (chunk: T[]) => Record<string, unknown>[] } = {}
) => {
  for (let i = 0; i < items.length; i += size) {
    if (yieldBetween && i > 0) await yieldToEventLoop();
    await db(table).insert(toRows(items.slice(i, i + size)));
  }
};
