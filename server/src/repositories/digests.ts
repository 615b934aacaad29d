import { TABLES, toInt, type Db } from './db';
import { memberOf, seenBy } from './visibility';
import { PENDING } from './message-requests';

/*
 * Digest emails: one outbox row per user and period (unique on user_id, digest_period, so a run
 * repeated after a crash adds nothing), and what such an email lists, read for a batch of users at
 * once when it is sent.
 */

/** Up to `limit` users on `frequency` (their preference), after `afterUserId`, in id order (a keyset page). */
export const digestUserIds = async (db: Db, frequency: string, afterUserId: number, limit: number) =>
  (
    await db(TABLES.preferences)
      .select('user_id')
      .where('email_digest', frequency)
      .andWhere('user_id', '>', afterUserId)
      .orderBy('user_id')
      .limit(limit)
  ).map((r: Record<string, unknown>) => toInt(r.user_id));

/** One pending digest row per user for `period`; those already there (an earlier run) are left alone. */
export const enqueueDigests = async (db: Db, rows: { userId: number; messageKey: string }[], period: string, now: Date) => {
  if (rows.length === 0) return;
  await db(TABLES.outbox)
    .insert(
      rows.map((r) => ({
        created_at: now,
        updated_at: now,
        published_at: now,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        kind: 'email',
        event: 'digest',
        user_id: r.userId,
        message_key: r.messageKey,
        digest_period: period,
      }))
    )
    .onConflict(['user_id', 'digest_period'])
    .ignore();
};

export type DigestLine = { userId: number; threadId: number; documentId: string; subject: string; authorId: number | null; unread: number };

/**
 * For each of `userIds`: the threads they have unread messages in that arrived in [start, end), per
 * author, with counts. Only what the member sees (visibility.seenBy), of threads they have not left,
 * never their own messages nor deleted ones; subjects and authors only, never a body.
 */
export const unreadForDigest = async (db: Db, userIds: number[], start: Date, end: Date): Promise<DigestLine[]> => {
  if (userIds.length === 0) return [];
  const rows = await db(`${TABLES.memberships} as ms`)
    .join(`${TABLES.messages} as m`, 'm.thread_id', 'ms.thread_id')
    .join(`${TABLES.threads} as t`, 't.id', 'ms.thread_id')
    .whereIn('ms.user_id', userIds)
    .whereNull('ms.left_at')
    // A pending message request is silent: never in a digest (message-requests.ts).
    .whereRaw(`coalesce(ms.request_state, '') <> ?`, [PENDING])
    .andWhere('ms.unread_count', '>', 0)
    .whereRaw('m.id > ms.last_read_message_id')
    .andWhere((w) => w.whereNull('m.author_id').orWhereRaw('m.author_id <> ms.user_id'))
    .whereNull('m.deleted_at')
    .andWhere('m.created_at', '>=', start)
    .andWhere('m.created_at', '<', end)
    .whereRaw(seenBy('m', memberOf('ms')))
    .groupBy('ms.user_id', 'ms.thread_id', 't.document_id', 't.subject', 'm.author_id')
    .select('ms.user_id', 'ms.thread_id', 't.document_id', 't.subject', 'm.author_id')
    .count({ n: '*' });
  return rows.map((r: Record<string, unknown>) => ({
    userId: toInt(r.user_id),
    threadId: toInt(r.thread_id),
    documentId: String(r.document_id),
    subject: (r.subject as string) ?? '',
    authorId: r.author_id == null ? null : toInt(r.author_id),
    unread: toInt(r.n),
  }));
};
