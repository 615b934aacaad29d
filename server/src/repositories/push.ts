import type { Knex } from 'knex';
import { createHash } from 'node:crypto';
import { createDocumentId } from '../utils/ids';
import { TABLES, insertInChunks, strapiColumns, toInt, yieldToEventLoop, type Db } from './db';
import { EXPANSION_SLICE, OUTBOX_ROWS_PER_INSERT, audienceMembershipIds, type OutboxRow } from './outbox';
import { blockedNow, memberOf, seenBy } from './visibility';
import { PENDING } from './message-requests';

/*
 * Web push subscriptions (one row per browser endpoint, unique by its hash: endpoints are long
 * URLs) and the outbox's push rows: one per message and subscription, so a failing browser is
 * retried on its own and a dead one (404/410) is deleted without touching the others.
 */

export type PushSubscription = { id: number; userId: number; endpoint: string; p256dh: string; auth: string };

const hashOf = (endpoint: string) => createHash('sha256').update(endpoint).digest('hex');

/** Saves `userId`'s subscription; an endpoint already known (re-subscribed, or another user's browser) is taken over. */
export const upsertSubscription = async (db: Db, userId: number, s: { endpoint: string; p256dh: string; auth: string }, now: Date) => {
  const values = { user_id: userId, endpoint: s.endpoint, public_key: s.p256dh, auth_secret: s.auth, updated_at: now };
  await db(TABLES.pushSubscriptions)
    .insert({ ...strapiColumns(createDocumentId(), now), ...values, endpoint_hash: hashOf(s.endpoint) })
    .onConflict('endpoint_hash')
    .merge(values);
};

/** Deletes `userId`'s subscription of `endpoint`; whether there was one. */
export const deleteSubscription = async (db: Db, userId: number, endpoint: string) =>
  toInt(await db(TABLES.pushSubscriptions).where({ endpoint_hash: hashOf(endpoint), user_id: userId }).delete()) > 0;

/** Deletes the subscriptions the push service says are gone (404/410), in one statement. */
export const deleteSubscriptionsByIds = async (db: Db, ids: number[]) => {
  if (ids.length > 0) await db(TABLES.pushSubscriptions).whereIn('id', [...new Set(ids)]).delete();
};

/** Records that the push service took a push for each of these subscriptions, in one statement. */
export const markSubscriptionsOk = async (db: Db, ids: number[], now: Date) => {
  if (ids.length > 0) await db(TABLES.pushSubscriptions).whereIn('id', [...new Set(ids)]).update({ last_ok_at: now });
};

export const findSubscriptions = async (db: Db, ids: number[]): Promise<Map<number, PushSubscription>> => {
  if (ids.length === 0) return new Map();
  const rows = await db(TABLES.pushSubscriptions).select('id', 'user_id', 'endpoint', 'public_key', 'auth_secret').whereIn('id', [...new Set(ids)]);
  return new Map(
    rows.map((r: Record<string, unknown>) => [
      toInt(r.id),
      { id: toInt(r.id), userId: toInt(r.user_id), endpoint: String(r.endpoint), p256dh: String(r.public_key), auth: String(r.auth_secret) },
    ])
  );
};

/** Never a push for a message request still pending (message-requests.ts): a request is silent. */
const excludeMessageRequests = (q: Knex.QueryBuilder) => q.whereRaw(`coalesce(ms.request_state, '') <> ?`, [PENDING]);

/**
 * One push row per subscription of each member told about message `job.messageId` by push: their
 * `push` preference (every message, or new threads only), what they see of it (visibility.seenBy),
 * not its author, not a member who left or blocks the author now. Users with messaging off get none.
 * Like the emails (outbox.expandMessageJob): the message's audience a slice of memberships at a
 * time, the event loop free in between, so a broadcast to a 10,000-user role neither stalls the
 * server nor reads every member's subscriptions in one statement; the rows are inserted in chunks
 * (insertInChunks), within SQLite's bound variables and MySQL's packet size.
 */
export const insertPushes = async (
  db: Db,
  job: OutboxRow,
  input: { authorId: number; isNewThread: boolean; messagingEnabledByDefault: boolean; now: Date; membershipIds?: number[] }
) => {
  const subscriptionsOf = (membershipIds: number[]) =>
    excludeMessageRequests(
      db(`${TABLES.pushSubscriptions} as s`)
        .join(`${TABLES.memberships} as ms`, 'ms.user_id', 's.user_id')
        .join(`${TABLES.preferences} as p`, 'p.user_id', 's.user_id')
        .select('s.id', 's.user_id')
        .whereIn('ms.id', membershipIds)
        .where('ms.thread_id', job.threadId)
        .whereNot('ms.user_id', input.authorId)
        .whereNull('ms.left_at')
        .whereRaw(`exists (select 1 from ${TABLES.messages} mx where mx.id = ? and ${seenBy('mx', memberOf('ms'))})`, [job.messageId])
        .whereRaw(`not ${blockedNow('ms.user_id', '?')}`, [input.authorId])
        .andWhere((w) => w.where('p.messaging_enabled', true).orWhere((w2) => w2.whereNull('p.messaging_enabled').andWhereRaw('?', [input.messagingEnabledByDefault])))
        .andWhere((w) => w.where('p.push', 'every').orWhere((w2) => w2.where('p.push', 'newThreads').andWhereRaw('?', [input.isNewThread])))
    ) as unknown as Promise<Record<string, unknown>[]>;
  const membershipIds = input.membershipIds ?? (await audienceMembershipIds(db, job, input.authorId));
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < membershipIds.length; i += EXPANSION_SLICE) {
    if (i > 0) await yieldToEventLoop();
    rows.push(...(await subscriptionsOf(membershipIds.slice(i, i + EXPANSION_SLICE))));
  }
  await insertInChunks(db, TABLES.outbox, rows, {
    size: OUTBOX_ROWS_PER_INSERT,
    yieldBetween: true,
    toRows: (chunk) =>
      chunk.map((r) => ({
        created_at: input.now,
        updated_at: input.now,
        published_at: input.now,
        status: 'pending',
        attempts: 0,
        next_attempt_at: input.now,
        kind: 'push',
        event: job.event,
        message_id: job.messageId,
        thread_id: job.threadId,
        user_id: toInt(r.user_id),
        subscription_id: toInt(r.id),
      })),
  });
  return rows.length;
};

/** Of `userIds`, those whose pushes carry a preview (pushContent: preview). */
export const usersWantingPreviews = async (db: Db, userIds: number[]) => {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Set<number>();
  const rows = await db(TABLES.preferences).select('user_id').whereIn('user_id', ids).where('push_content', 'preview');
  return new Set(rows.map((r: Record<string, unknown>) => toInt(r.user_id)));
};
