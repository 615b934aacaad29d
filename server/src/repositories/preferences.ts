import { createDocumentId } from '../utils/ids';
import { TABLES, strapiColumns, toBool, yieldToEventLoop, type Db } from './db';
import { lockExistingRow } from './dialect';

const PREFERENCES = TABLES.preferences;

export type PreferenceRow = {
  messagingEnabled: boolean | null;
  emailNotifications: string | null;
  allowMessagesFrom: string | null;
  emailDigest: string | null;
  push: string | null;
  pushContent: string | null;
};

export type PreferenceValues = {
  messaging_enabled?: boolean;
  email_notifications?: string;
  allow_messages_from?: string;
  email_digest?: string;
  push?: string;
  push_content?: string;
};

export const findPreferences = async (db: Db, userId: number): Promise<PreferenceRow | null> => {
  const row = await db(PREFERENCES)
    .select('messaging_enabled', 'email_notifications', 'allow_messages_from', 'email_digest', 'push', 'push_content')
    .where('user_id', userId)
    .first();
  if (!row) return null;
  return {
    messagingEnabled: row.messaging_enabled === null ? null : toBool(row.messaging_enabled),
    emailNotifications: row.email_notifications ?? null,
    allowMessagesFrom: row.allow_messages_from ?? null,
    emailDigest: row.email_digest ?? null,
    push: row.push ?? null,
    pushContent: row.push_content ?? null,
  };
};

export const upsertPreferences = async (
  db: Db,
  userId: number,
  values: PreferenceValues,
  now: Date
) => {
  await db(PREFERENCES)
    .insert({ ...strapiColumns(createDocumentId(), now), user_id: userId, ...values })
    .onConflict('user_id')
    .merge({ ...values, updated_at: now });
};

/**
 * Which of `userIds` do not receive messages, given the site default: those who turned it off,
 * and (when the default is off) those who never turned it on. Chunked to stay under bind limits.
 */
export const usersWithMessagingOff = async (db: Db, userIds: number[], enabledByDefault: boolean) => {
  const off = new Set<number>();
  const on = new Set<number>();
  for (let i = 0; i < userIds.length; i += 500) {
    if (i > 0) await yieldToEventLoop();
    const rows = await db(PREFERENCES)
      .select('user_id', 'messaging_enabled')
      .whereIn('user_id', userIds.slice(i, i + 500))
      .whereNotNull('messaging_enabled');
    for (const r of rows) (toBool(r.messaging_enabled) ? on : off).add(Number(r.user_id));
  }
  if (enabledByDefault) return off;
  return new Set(userIds.filter((id) => !on.has(id)));
};

/** Who may start a thread with each of `userIds`, for those who chose (`allow_messages_from`). */
export const allowMessagesFromOf = async (db: Db, userIds: number[]) => {
  const chosen = new Map<number, string>();
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = await db(PREFERENCES).select('user_id', 'allow_messages_from').whereIn('user_id', userIds.slice(i, i + 500)).whereNotNull('allow_messages_from');
    for (const r of rows) chosen.set(Number(r.user_id), String(r.allow_messages_from));
  }
  return chosen;
};

/* The row lock of lockUserRow (dialect.lockExistingRow: on SQLite, the database's write lock). */
const lockExisting = (db: Db, userId: number) => lockExistingRow(db, PREFERENCES, { user_id: userId });

/**
 * Locks the user's preferences row until the transaction `db` ends: the per-author lock behind the
 * rate limit, which counts the author's recent messages inside the write that adds one, so that
 * concurrent sends take turns. One statement once the row exists; the first time it is created
 * empty (both columns null read as "no choice made"), and a concurrent first send waits for it.
 * Not an upsert on every send: each would use up a value of the id sequence (PostgreSQL, MySQL).
 * Run it first in the transaction: on MySQL's REPEATABLE READ, a plain read before it would fix
 * the transaction's snapshot before the lock is held.
 *
 * The creation is an upsert that rewrites the row when a concurrent first send made it: that takes
 * the row's write lock at once. Skipping the duplicate instead (INSERT IGNORE) takes a shared lock
 * on InnoDB, and two sends that both waited for the creator then each wanted the write lock the
 * other's shared lock kept from them: a deadlock (seen with 50 concurrent first replies).
 */
export const lockUserRow = async (db: Db, userId: number, now: Date) => {
  if (await lockExisting(db, userId)) return;
  await db(PREFERENCES)
    .insert({ ...strapiColumns(createDocumentId(), now), user_id: userId })
    .onConflict('user_id')
    .merge({ user_id: userId });
  await lockExisting(db, userId);
};
