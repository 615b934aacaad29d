import { TABLES, strapiColumns, toInt, toIso, type Db } from './db';
import { createDocumentId } from '../utils/ids';
import { isOpenPeriod } from './visibility';

/*
 * Blocks as periods (visibility: block periods): blocking opens one, unblocking ends it, and the
 * rows stay, so what was written during a block stays undelivered after it. Callers hold the
 * blocked user's row lock (preferences.lockUserRow), the lock each of that user's sends takes
 * first: the edges read here fall between two of their messages.
 */

/** The pair's periods that are still on (one at most). */
const openPeriods = (db: Db) => db(`${TABLES.blocks} as b`).whereRaw(isOpenPeriod('b'));

/** The users `blockerId` has blocked now, newest block first (a period that went on again counts from then), with when each began. */
export const listBlockedBy = async (db: Db, blockerId: number) =>
  (
    await openPeriods(db).select('b.blocked_id', 'b.created_at').where('b.blocker_id', blockerId).orderBy([{ column: 'b.created_at', order: 'desc' }, { column: 'b.id', order: 'desc' }])
  ).map((r: Record<string, unknown>) => ({ userId: toInt(r.blocked_id), blockedAt: toIso(r.created_at) as string }));

/** The last message id written so far: a period's edge (under the blocked user's row lock). */
export const lastMessageId = async (db: Db) => toInt((await db(TABLES.messages).max({ id: 'id' }).first())?.id);

/**
 * Opens a block period unless one is open; true when the block is new. It covers the messages
 * written from now on. When nothing was written since the pair's last period ended, that period
 * goes on instead (the same messages either way, and the unique index keeps one period per edge).
 */
export const startBlock = async (db: Db, blockerId: number, blockedId: number, now: Date) => {
  const pair = () => db(`${TABLES.blocks} as b`).where('b.blocker_id', blockerId).andWhere('b.blocked_id', blockedId);
  if (await pair().whereRaw(isOpenPeriod('b')).first('b.id')) return false;
  const after = await lastMessageId(db);
  const latest = await pair().select('b.id', 'b.through_message_id').orderBy('b.after_message_id', 'desc').first();
  if (latest && toInt(latest.through_message_id) >= after) {
    await db(TABLES.blocks).where('id', latest.id).update({ through_message_id: null, created_at: now, updated_at: now });
    return true;
  }
  await db(TABLES.blocks).insert({
    ...strapiColumns(createDocumentId(), now),
    blocker_id: blockerId,
    blocked_id: blockedId,
    after_message_id: after,
    through_message_id: null,
  });
  return true;
};

/** Ends the pair's open period at the last message written; true when there was one. */
export const endBlock = async (db: Db, blockerId: number, blockedId: number, now: Date) => {
  const through = await lastMessageId(db);
  return (
    toInt(
      await db(TABLES.blocks)
        .where({ blocker_id: blockerId, blocked_id: blockedId })
        .whereNull('through_message_id')
        .update({ through_message_id: through, updated_at: now })
    ) > 0
  );
};

/** Which of `userIds` have blocked `authorId` now (one query, served by pm_blocks_blocked_idx). */
export const blockersOf = async (db: Db, authorId: number, userIds: number[]) => {
  if (userIds.length === 0) return new Set<number>();
  const rows = await openPeriods(db).select('b.blocker_id').where('b.blocked_id', authorId);
  const wanted = new Set(userIds);
  return new Set(rows.map((r: Record<string, unknown>) => toInt(r.blocker_id)).filter((id) => wanted.has(id)));
};

/**
 * Blocks from before periods existed (no edge yet) begin after the blocked user's last message
 * written before the block: what the time-based rule they were made under showed stays shown.
 * Run once per database, at boot.
 */
export const backfillBlockPeriods = (db: Db) =>
  db(TABLES.blocks)
    .whereNull('after_message_id')
    .update({
      after_message_id: db.raw(
        `coalesce((select max(m.id) from ${TABLES.messages} m where m.author_id = ${TABLES.blocks}.blocked_id and m.created_at < ${TABLES.blocks}.created_at), 0)`
      ),
    });
