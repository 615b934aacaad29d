import { TABLES, toInt, type Db } from './db';
import { lockThreads } from './threads';
import { forUpdate, whereIdIn } from './dialect';
import { IMPORT_MAP } from './import-map';
import { AUDIENCE_DIRECT } from './visibility';
import { deleteEmptiedThreads, recountAfterDeparture } from './erasure-threads';
import { unindexMessages, unindexMessagesOf } from './message-search';
import { catchUpThreads } from './membership-delivery';
import { attachmentsOfMessages, deleteRows, disownAttachments, listAllOfOwner, listStagedOfOwner, type AttachmentRow } from './attachments';

/*
 * Erasing a user's messaging data: one ordered list of steps, one per table, run in one transaction
 * (services/privacy.ts, after the user's row lock: lock order user → threads → memberships). A
 * feature that adds a table holding user data adds its step here, at the place its rows must go
 * (before the rows they point at), and test/api/privacy-erasure.test.ts lists the table.
 *
 * Modes (setting `erasure`): `anonymize` keeps the user's messages for the others, authored by
 * nobody; `delete` makes them deleted placeholders without a body, purged as usual. In both, the
 * messages they wrote while a member had blocked them go for good: anonymized, they could no longer
 * be told from anyone else's, and the member who blocked them would see what was held back.
 */

export type ErasureMode = 'anonymize' | 'delete';

export type ErasureContext = {
  userId: number;
  mode: ErasureMode;
  now: Date;
  /** Threads the user is or was a member of, locked in id order before the first step. */
  threadIds: number[];
  /**
   * Work for after the commit, outside the database (removing stored files): a step pushes it
   * here, the service runs it once the transaction committed, never when it rolled back.
   */
  afterCommit: (() => Promise<void>)[];
  /** Attachments whose rows the steps deleted: their stored bytes are removed once this commits. */
  filesToRemove: AttachmentRow[];
};

export type ErasureStep = { table: string; run: (db: Db, ctx: ErasureContext) => Promise<unknown> };

const CHUNK = 500;

const inChunks = async (ids: number[], run: (chunk: number[]) => Promise<unknown>) => {
  for (let i = 0; i < ids.length; i += CHUNK) await run(ids.slice(i, i + CHUNK));
};

/** The user's messages held back from a member of their thread who had blocked them (block periods, visibility.ts). */
const heldBackMessages = (db: Db, userId: number) =>
  db(`${TABLES.messages} as m`)
    .select('m.id')
    .where('m.author_id', userId)
    .whereExists(
      db(`${TABLES.blocks} as vb`)
        .join(`${TABLES.memberships} as bm`, 'bm.user_id', 'vb.blocker_id')
        .select(db.raw('1'))
        .where('vb.blocked_id', userId)
        .whereRaw('bm.thread_id = m.thread_id')
        .whereRaw('vb.after_message_id < m.id')
        .where((w) => w.whereNull('vb.through_message_id').orWhereRaw('vb.through_message_id >= m.id'))
    );

/** The steps, in the order they run. */
export const ERASURE_STEPS: ErasureStep[] = [
  // Open streams are closed by the service once this commits; the tickets go now.
  { table: TABLES.streamTickets, run: (db, { userId }) => db(TABLES.streamTickets).where('user_id', userId).del() },
  // Emails to them (pending or sent: the row holds their address) and their sends' replay keys.
  { table: TABLES.outbox, run: (db, { userId }) => db(TABLES.outbox).where('user_id', userId).del() },
  { table: TABLES.idempotencyKeys, run: (db, { userId }) => db(TABLES.idempotencyKeys).where('user_id', userId).del() },
  { table: TABLES.contextAsks, run: (db, { userId }) => db(TABLES.contextAsks).where('asker_id', userId).del() },
  {
    table: TABLES.membershipTags,
    run: async (db, { userId }) => {
      await db(TABLES.membershipTags).whereIn('membership_id', db(TABLES.memberships).select('id').where('user_id', userId)).del();
      await db(TABLES.membershipTags).whereIn('tag_id', db(TABLES.tags).select('id').where('owner_id', userId)).del();
    },
  },
  { table: TABLES.tags, run: (db, { userId }) => db(TABLES.tags).where('owner_id', userId).del() },
  {
    // Their staged files always; the files of what goes (what was held back, and in `delete` mode
    // everything they sent); anonymized, the rest stay with their messages, owned by nobody.
    table: TABLES.attachments,
    run: async (db, ctx) => {
      const held = (await heldBackMessages(db, ctx.userId)).map((r: Record<string, unknown>) => toInt(r.id));
      const rows = ctx.mode === 'delete' ? await listAllOfOwner(db, ctx.userId) : await listStagedOfOwner(db, ctx.userId);
      await inChunks(held, async (ids) => rows.push(...(await attachmentsOfMessages(db, ids))));
      const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
      await inChunks(unique.map((r) => r.id), (ids) => deleteRows(db, ids));
      ctx.filesToRemove.push(...unique);
      await disownAttachments(db, ctx.userId);
    },
  },
  {
    table: TABLES.messages,
    run: async (db, { userId }) => {
      const held = (await heldBackMessages(db, userId)).map((r: Record<string, unknown>) => toInt(r.id));
      await inChunks(held, async (ids) => {
        await whereIdIn(db, db(TABLES.reports), 'message_id', ids).update({ message_id: null });
        await unindexMessages(db, ids);
        await whereIdIn(db, db(TABLES.messages), 'id', ids).del();
      });
    },
  },
  {
    table: TABLES.messages,
    run: async (db, { userId, mode, now }) => {
      const erased = mode === 'delete' ? { body: '', excerpt: '', fields: null, deleted_at: db.raw('coalesce(deleted_at, ?)', [now]) } : {};
      // Deleted, their words leave the search index too; anonymized, the others still find them.
      if (mode === 'delete') await unindexMessagesOf(db, userId);
      await db(TABLES.messages).where('author_id', userId).update({ ...erased, author_id: null, updated_at: now });
      // A hidden member's reply to them (the thread's starter): theirs alone, so it goes with them.
      await db(TABLES.messages).where({ audience: AUDIENCE_DIRECT, audience_user_id: userId }).update({ audience_user_id: null });
    },
  },
  // Contacts both ways: whom they may write to without a request, and who may write to them.
  { table: TABLES.contacts, run: (db, { userId }) => db(TABLES.contacts).where('user_id', userId).orWhere('contact_id', userId).del() },
  { table: TABLES.blocks, run: (db, { userId }) => db(TABLES.blocks).where('blocker_id', userId).orWhere('blocked_id', userId).del() },
  { table: TABLES.memberships, run: (db, { userId }) => db(TABLES.memberships).where('user_id', userId).del() },
  // Their browsers' push subscriptions (pending pushes are outbox rows, gone with the outbox step).
  { table: TABLES.pushSubscriptions, run: (db, { userId }) => db(TABLES.pushSubscriptions).where('user_id', userId).del() },
  { table: TABLES.preferences, run: (db, { userId }) => db(TABLES.preferences).where('user_id', userId).del() },
  { table: TABLES.suspensions, run: (db, { userId }) => db(TABLES.suspensions).where('user_id', userId).del() },
  // A report stays (moderators decided on it), without its reporter.
  { table: TABLES.reports, run: (db, { userId }) => db(TABLES.reports).where('reporter_id', userId).update({ reporter_id: null }) },
  // The importer's record that a Drupal account became this user.
  { table: IMPORT_MAP, run: (db, { userId }) => db(IMPORT_MAP).where({ kind: 'user', target_id: userId }).del() },
  {
    table: TABLES.threads,
    run: async (db, ctx) => {
      await db(TABLES.threads).where('starter_id', ctx.userId).update({ starter_id: null });
      // Deliveries still deferred (a big thread's reply) first, as the purge does: the recount
      // below counts every message as delivered.
      await catchUpThreads(db, ctx.threadIds, ctx.now);
      // The others' counts and member lists, then the threads nobody is left in.
      await recountAfterDeparture(db, ctx.threadIds, ctx.userId);
      ctx.filesToRemove.push(...(await deleteEmptiedThreads(db, ctx.threadIds)));
    },
  },
];

/** The threads the user is or was a member of, locked (threads by id). */
export const lockUserThreads = async (db: Db, userId: number) => {
  const rows = await db(TABLES.memberships).select('thread_id').where('user_id', userId);
  const threadIds = [...new Set(rows.map((r: Record<string, unknown>) => toInt(r.thread_id)))].sort((a, b) => a - b);
  await lockThreads(db, threadIds);
  return threadIds;
};

/**
 * Locks the user's account row (users-permissions' table) for the rest of the transaction. A row
 * pointing at the user (a membership a concurrent send adds) takes a key-share lock on it through
 * its foreign key, so sends in flight commit first and are erased here, and later ones wait and
 * then meet the deleted account (answered as unknown_recipient). Taken after the user's own row
 * lock (preferences.lockUserRow), the lock their own sends take first.
 */
export const lockUserAccount = async (db: Db, usersTable: string, userId: number) => {
  await forUpdate(db, db(usersTable).select('id').where('id', userId));
};

/** Runs every step for the user, in order. The caller holds the transaction and the user's row lock. */
export const eraseUserData = async (db: Db, input: { userId: number; mode: ErasureMode; now: Date; usersTable: string }) => {
  await lockUserAccount(db, input.usersTable, input.userId);
  const threadIds = await lockUserThreads(db, input.userId);
  const ctx: ErasureContext = { userId: input.userId, mode: input.mode, now: input.now, threadIds, afterCommit: [], filesToRemove: [] };
  for (const step of ERASURE_STEPS) await step.run(db, ctx);
  return { threads: threadIds.length, afterCommit: ctx.afterCommit, filesToRemove: ctx.filesToRemove };
};
