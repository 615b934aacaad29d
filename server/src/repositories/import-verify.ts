import { TABLES, toInt, type Db } from './db';
import { IMPORT_MAP } from './import-map';
import { memberOf, seenBy } from './visibility';

/*
 * The plugin's side of the importer's check: what each member of the imported threads sees and
 * has unread, read with the same conditions the API uses (visibility.seenBy, unread_count).
 */

/**
 * Per member of the imported threads: how many of them they have unread (GET /unread-count's
 * `threads`, within the import); members with none unread are listed with 0.
 */
export const unreadImportedThreadsPerUser = async (db: Db, source: string) => {
  const rows = await db(`${TABLES.memberships} as ms`)
    .join(`${IMPORT_MAP} as im`, (j) => j.on('im.target_id', 'ms.thread_id').andOnVal('im.kind', 'thread').andOnVal('im.source', source))
    .select('ms.user_id', db.raw('sum(case when ms.unread_count > 0 then 1 else 0 end) as n'))
    .whereNull('ms.left_at')
    .groupBy('ms.user_id');
  return new Map<number, number>(rows.map((r: Record<string, unknown>) => [toInt(r.user_id), toInt(r.n)]));
};

/** Every (thread, member, message) a current member of these threads sees, in thread order. */
export const visibleMessagesOf = async (db: Db, threadIds: number[]) => {
  if (threadIds.length === 0) return [];
  const rows = await db(`${TABLES.memberships} as ms`)
    .join(`${TABLES.messages} as m`, 'm.thread_id', 'ms.thread_id')
    .select('ms.thread_id', 'ms.user_id', 'm.id')
    .whereIn('ms.thread_id', threadIds)
    .whereNull('ms.left_at')
    .whereRaw(seenBy('m', memberOf('ms')))
    .orderBy('m.id');
  return rows.map((r: Record<string, unknown>) => ({ threadId: toInt(r.thread_id), userId: toInt(r.user_id), messageId: toInt(r.id) }));
};
