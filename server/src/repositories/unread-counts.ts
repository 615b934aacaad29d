import { TABLES, toInt, type Db } from './db';
import { selectRows } from './dialect';
import { PENDING } from './message-requests';

/**
 * A user's unread count, the one definition (GET /unread-count and the stream's `unread-count`):
 * their memberships with unread messages, counted (threads) and summed (messages), pending message
 * requests apart (`requests`: those with unread messages; message-requests). Served by
 * `pm_memberships_unread_idx` (user_id, unread_count).
 */
const unreadMemberships = (db: Db) =>
  db(TABLES.memberships)
    .andWhere('unread_count', '>', 0)
    .select(
      db.raw(`sum(case when request_state = ? then 0 else 1 end) as threads`, [PENDING]),
      db.raw(`sum(case when request_state = ? then 0 else unread_count end) as messages`, [PENDING]),
      db.raw(`sum(case when request_state = ? then 1 else 0 end) as requests`, [PENDING])
    );

export type UnreadCounts = { threads: number; messages: number; requests: number };
const countsOf = (row: Record<string, unknown> | undefined): UnreadCounts => ({
  threads: toInt(row?.threads),
  messages: toInt(row?.messages),
  requests: toInt(row?.requests),
});

/** `{threads, messages, requests}` unread for a user. */
export const countUnread = async (db: Db, userId: number) => {
  const [row] = await selectRows(db, unreadMemberships(db).where('user_id', userId));
  return countsOf(row);
};

/** The same for many users in one statement (every user asked for is in the answer). */
export const countUnreadMany = async (db: Db, userIds: number[]) => {
  const counts = new Map<number, UnreadCounts>(userIds.map((id) => [id, { threads: 0, messages: 0, requests: 0 }]));
  if (userIds.length === 0) return counts;
  const rows = await unreadMemberships(db).select('user_id').whereIn('user_id', [...counts.keys()]).groupBy('user_id');
  for (const row of rows as Record<string, unknown>[]) counts.set(toInt(row.user_id), countsOf(row));
  return counts;
};
