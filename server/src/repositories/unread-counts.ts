import { selectRows, TABLES, toInt, type Db } from './db';

/**
 * A user's unread count, the one definition (GET /unread-count and the stream's `unread-count`):
 * their memberships with unread messages, counted (threads) and summed (messages). Served by
 * `pm_memberships_unread_idx` (user_id, unread_count).
 */
const unreadMemberships = (db: Db) => db(TABLES.memberships).andWhere('unread_count', '>', 0).count({ threads: '*' }).sum({ messages: 'unread_count' });

/** `{threads, messages}` unread for a user. */
export const countUnread = async (db: Db, userId: number) => {
  const [row] = await selectRows(db, unreadMemberships(db).where('user_id', userId));
  return { threads: toInt(row?.threads), messages: toInt(row?.messages) };
};

/** The same for many users in one statement (every user asked for is in the answer). */
export const countUnreadMany = async (db: Db, userIds: number[]) => {
  const counts = new Map(userIds.map((id) => [id, { threads: 0, messages: 0 }]));
  if (userIds.length === 0) return counts;
  const rows = await unreadMemberships(db).select('user_id').whereIn('user_id', [...counts.keys()]).groupBy('user_id');
  for (const row of rows as Record<string, unknown>[]) counts.set(toInt(row.user_id), { threads: toInt(row.threads), messages: toInt(row.messages) });
  return counts;
};
