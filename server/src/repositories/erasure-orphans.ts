import { TABLES, toInt, type Db } from './db';
import { lockThreads } from './threads';
import { deleteEmptiedThreads, recountAfterDeparture } from './erasure-threads';

/*
 * Rows whose user the database's foreign keys set to null when the account was deleted: a send that
 * committed between an erasure and the account's deletion (two transactions when the deleting path
 * opened none) may leave a membership, a preference row or a ticket of the deleted user. Nothing
 * else writes these columns null, so such rows go, and their threads are recounted.
 */
export const sweepOrphans = async (db: Db) => {
  const rows = await db(TABLES.memberships).select('id', 'thread_id').whereNull('user_id');
  const threadIds = [...new Set(rows.map((r: Record<string, unknown>) => toInt(r.thread_id)))].sort((a, b) => a - b);
  if (threadIds.length > 0) {
    await lockThreads(db, threadIds);
    await db(TABLES.membershipTags).whereIn('membership_id', db(TABLES.memberships).select('id').whereNull('user_id')).del();
    await db(TABLES.memberships).whereNull('user_id').del();
    await recountAfterDeparture(db, threadIds, 0);
    await deleteEmptiedThreads(db, threadIds);
  }
  await db(TABLES.preferences).whereNull('user_id').del();
  await db(TABLES.streamTickets).whereNull('user_id').del();
  await db(TABLES.membershipTags).whereIn('tag_id', db(TABLES.tags).select('id').whereNull('owner_id')).del();
  await db(TABLES.tags).whereNull('owner_id').del();
  await db(TABLES.blocks).whereNull('blocker_id').orWhereNull('blocked_id').del();
  await db(TABLES.contacts).whereNull('user_id').orWhereNull('contact_id').del();
  await db(TABLES.pushSubscriptions).whereNull('user_id').del();
  await db(TABLES.suspensions).whereNull('user_id').del();
};
