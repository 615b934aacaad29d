import { TABLES, strapiColumns, toInt, toIso, type Db } from './db';
import { createDocumentId } from '../utils/ids';
import { insertIgnoreReturning } from './dialect';

export const listBlockedBy = async (db: Db, blockerId: number) =>
  (
    await db(TABLES.blocks).select('blocked_id', 'created_at').where('blocker_id', blockerId).orderBy('id', 'desc')
  ).map((r: Record<string, unknown>) => ({ userId: toInt(r.blocked_id), blockedAt: toIso(r.created_at) as string }));

/** Inserts the block unless it exists; true when it is new. */
export const insertBlock = async (db: Db, blockerId: number, blockedId: number, now: Date) => {
  const row = await insertIgnoreReturning(
    db,
    TABLES.blocks,
    { ...strapiColumns(createDocumentId(), now), blocker_id: blockerId, blocked_id: blockedId },
    ['blocker_id', 'blocked_id'],
    ['id']
  );
  return row !== null;
};

export const deleteBlock = async (db: Db, blockerId: number, blockedId: number) =>
  toInt(await db(TABLES.blocks).where({ blocker_id: blockerId, blocked_id: blockedId }).delete()) > 0;

/** Which of `userIds` blocked `authorId` (one query, served by pm_blocks_blocked_idx). */
export const blockersOf = async (db: Db, authorId: number, userIds: number[]) => {
  if (userIds.length === 0) return new Set<number>();
  const rows = await db(TABLES.blocks).select('blocker_id').where('blocked_id', authorId);
  const wanted = new Set(userIds);
  return new Set(rows.map((r: Record<string, unknown>) => toInt(r.blocker_id)).filter((id) => wanted.has(id)));
};

/**
 * The visibility rule of blocking, as a SQL condition on a messages table aliased `alias`: a
 * message is hidden from `viewerId` when they blocked its author before it was written.
 */
export const hiddenByBlock = (db: Db, viewerId: number, alias: string) =>
  db(`${TABLES.blocks} as b`)
    .select(db.raw('1'))
    .where('b.blocker_id', viewerId)
    .whereRaw(`b.blocked_id = ${alias}.author_id`)
    .whereRaw(`b.created_at <= ${alias}.created_at`);
