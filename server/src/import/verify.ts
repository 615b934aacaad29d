import type { Db } from '../repositories/db';
import * as importVerify from '../repositories/import-verify';
import type { IndexRow, Reader } from './reader';
import type { ImportReport } from './report';

/** A batch's ids, as threads-batch wrote or found them. */
export type BatchIds = {
  /** Our thread of each source thread id, and our message of each source mid (imported before, or now). */
  threads: Map<number, number>;
  messages: Map<number, number>;
};

/*
 * The check of an import, against privatemsg's own SQL on the source:
 *   - per thread and member, the messages privatemsg lists (their live rows) are the ones the
 *     member sees here, in the same order: checked batch by batch, right after each batch
 *     commits, against the source rows the batch read (a second pass over the source cost as much
 *     as the import itself);
 *   - per user, at the end, privatemsg's unread count (count(distinct thread_id) of live is_new
 *     rows, privatemsg_sql_unread_count) equals the number of imported threads they have unread
 *     here.
 * Messages not imported (skipped, or orphan rows) are left out of both sides.
 */
export const createVerifier = (input: { knex: Db; reader: Reader; source: string; userOf: (uid: number) => number | undefined }) => {
  const { knex, reader, source, userOf } = input;
  let memberships = 0;
  let differing = 0;

  return {
    async checkBatch(sourceRows: IndexRow[], ids: BatchIds) {
      const expected = new Map<string, Set<number>>();
      for (const r of sourceRows) {
        if (r.deleted !== 0 || (r.type !== 'user' && r.type !== 'hidden')) continue;
        const threadId = ids.threads.get(r.threadId);
        const messageId = ids.messages.get(r.mid);
        const userId = userOf(r.recipient);
        if (threadId === undefined || messageId === undefined || userId === undefined) continue;
        const key = `${threadId}:${userId}`;
        if (!expected.has(key)) expected.set(key, new Set());
        expected.get(key)!.add(messageId);
      }
      const imported = new Set(ids.messages.values());
      const actual = new Map<string, number[]>();
      for (const v of await importVerify.visibleMessagesOf(knex, [...new Set(ids.threads.values())])) {
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
    },

    async finish(report: ImportReport) {
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
      report.verification = {
        users: users.size,
        unreadMatching: users.size - unreadDiffering.length,
        unreadDiffering: unreadDiffering.slice(0, 100),
        memberships,
        messageListsMatching: memberships - differing,
        messageListsDiffering: differing,
      };
      return report.verification;
    },
  };
};

export type Verifier = ReturnType<typeof createVerifier>;
