import type { Core } from '@strapi/strapi';
import { recountedCounts } from '../../server/src/repositories/membership-read-state';

/**
 * Current memberships whose stored unread_count or message_count differs from the recount by the
 * plugin's own rule (recountedCounts: visibility.seenBy), with both values. Reads only.
 */
export const driftedCounters = async (strapi: Core.Strapi, threadIds?: number[]) => {
  const knex = strapi.db.connection;
  const { messageCount, unreadCount } = recountedCounts('ms');
  const q = knex('pm_memberships as ms')
    .select('ms.thread_id', 'ms.user_id', 'ms.unread_count', 'ms.message_count', knex.raw(`${unreadCount} as unread_recount`), knex.raw(`${messageCount} as messages_recount`))
    .whereNull('ms.left_at');
  if (threadIds) q.whereIn('ms.thread_id', threadIds);
  const rows = (await q) as Record<string, unknown>[];
  return rows
    .map((r) => ({
      threadId: Number(r.thread_id),
      userId: Number(r.user_id),
      unread: Number(r.unread_count),
      unreadRecount: Number(r.unread_recount),
      messages: Number(r.message_count),
      messagesRecount: Number(r.messages_recount),
    }))
    .filter((r) => r.unread !== r.unreadRecount || r.messages !== r.messagesRecount);
};

/** A user's `{threads, messages}` unread, recounted (what GET /unread-count must answer). */
export const recountedUnread = async (strapi: Core.Strapi, userId: number) => {
  const knex = strapi.db.connection;
  const { unreadCount } = recountedCounts('ms');
  const rows = (await knex('pm_memberships as ms').select(knex.raw(`${unreadCount} as n`)).where('ms.user_id', userId).whereNull('ms.left_at')) as Record<string, unknown>[];
  const counts = rows.map((r) => Number(r.n)).filter((n) => n > 0);
  return { threads: counts.length, messages: counts.reduce((a, b) => a + b, 0) };
};

/** The id of a thread by its documentId. */
export const threadIdOf = async (strapi: Core.Strapi, documentId: string) =>
  Number((await strapi.db.connection('pm_threads').select('id').where('document_id', documentId).first()).id);
