import type { Db } from '../repositories/db';
import * as importMap from '../repositories/import-map';
import * as importVerify from '../repositories/import-verify';
import type { Reader } from './reader';
import type { ImportReport } from './report';

/*
 * The check after an import, against privatemsg's own SQL on the source:
 *   - per user, privatemsg's unread count (count(distinct thread_id) of live is_new rows,
 *     privatemsg_sql_unread_count) equals the number of imported threads they have unread here;
 *   - per thread and member, the messages privatemsg lists (their live rows) are the ones the
 *     member sees here, in the same order.
 * Messages not imported (skipped, or orphan rows) are left out of both sides.
 */
export const verifyImport = async (
  input: { knex: Db; reader: Reader; source: string; userOf: (uid: number) => number | undefined; batchSize: number },
  report: ImportReport,
  onProgress: (done: number) => void
) => {
  const { knex, reader, source, userOf } = input;
  const drupalUnread = new Map<number, number>();
  for (const [uid, n] of await reader.unreadCounts()) {
    const userId = userOf(uid);
    if (userId !== undefined) drupalUnread.set(userId, (drupalUnread.get(userId) ?? 0) + n);
  }
  const strapiUnread = await importVerify.unreadImportedThreadsPerUser(knex, source);
  const users = new Set([...drupalUnread.keys(), ...strapiUnread.keys()]);
  const unreadDiffering: { userId: number; drupal: number; strapi: number }[] = [];
  for (const userId of users) {
    const drupal = drupalUnread.get(userId) ?? 0;
    const strapi = strapiUnread.get(userId) ?? 0;
    if (drupal !== strapi) unreadDiffering.push({ userId, drupal, strapi });
  }

  let memberships = 0;
  let differing = 0;
  let after = 0;
  let done = 0;
  for (;;) {
    const threadIds = await reader.threadIdsAfter(after, input.batchSize);
    if (threadIds.length === 0) break;
    after = threadIds[threadIds.length - 1];
    const threads = await importMap.findMappings(knex, source, 'thread', threadIds);
    const rows = (await reader.indexRows(threadIds)).filter((r) => r.deleted === 0 && (r.type === 'user' || r.type === 'hidden'));
    const messages = await importMap.findMappings(knex, source, 'message', rows.map((r) => r.mid));
    const expected = new Map<string, Set<number>>();
    for (const r of rows) {
      const threadId = threads.get(importMap.mappingKey(r.threadId));
      const messageId = messages.get(importMap.mappingKey(r.mid));
      const userId = userOf(r.recipient);
      if (threadId === undefined || messageId === undefined || userId === undefined) continue;
      const key = `${threadId}:${userId}`;
      if (!expected.has(key)) expected.set(key, new Set());
      expected.get(key)!.add(messageId);
    }
    const imported = new Set(messages.values());
    const actual = new Map<string, number[]>();
    for (const v of await importVerify.visibleMessagesOf(knex, [...threads.values()])) {
      if (!imported.has(v.messageId)) continue;
      const key = `${v.threadId}:${v.userId}`;
      if (!actual.has(key)) actual.set(key, []);
      actual.get(key)!.push(v.messageId);
    }
    for (const key of new Set([...expected.keys(), ...actual.keys()])) {
      memberships += 1;
      const want = [...(expected.get(key) ?? [])].sort((a, b) => a - b);
      const got = actual.get(key) ?? [];
      if (want.length !== got.length || want.some((id, i) => id !== got[i])) differing += 1;
    }
    done += threadIds.length;
    onProgress(done);
  }

  report.verification = {
    users: users.size,
    unreadMatching: users.size - unreadDiffering.length,
    unreadDiffering: unreadDiffering.slice(0, 100),
    memberships,
    messageListsMatching: memberships - differing,
    messageListsDiffering: differing,
  };
  return report.verification;
};
