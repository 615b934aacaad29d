import type { Knex } from 'knex';

/** A knex handle: the connection itself or a transaction. Every repository function takes one. */
export type Db = Knex | Knex.Transaction;

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

/** Lets other callbacks run: SQLite's driver is synchronous, so a long series of statements would block the event loop. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Inserts rows in chunks so no single statement exceeds the drivers' bind-parameter limits;
 * with `yieldBetween`, gives the event loop a turn between chunks.
 */
export const insertInChunks = async (
  db: Db,
  table: string,
  rows: Record<string, unknown>[],
  { size = 400, yieldBetween = false }: { size?: number; yieldBetween?: boolean } = {}
) => {
  for (let i = 0; i < rows.length; i += size) {
    if (yieldBetween && i > 0) await yieldToEventLoop();
    await db(table).insert(rows.slice(i, i + size));
  }
};
