import type { Knex } from 'knex';
import { TABLES, toInt, type Db } from './db';
import { memberOf, memberSees, seenBy } from './visibility';
import { refreshStatistics } from './dialect';
import { deleteSearchRows, deleteSearchRowsIn, ensureSearchStructure, ensureSearchTable, notIndexed, searchStructureMissing, tableOf, writeSearchRows } from './search-dialect';
import { splitWords, walksNewestFirst } from './search-frequency';
import { countMatchesUpTo, matchCondition } from './search-match';
import { indexTextOf } from '../utils/search-text';

/**
 * The message search index (search-dialect.ts holds how each database keeps it). Every write path
 * keeps it exact inside its own transaction: a send or reply indexes its message (messages.ts),
 * the purge drops the rows of what it deletes, and erasure drops (or rewrites) the rows of the
 * messages it erases through `unindexMessages` / `unindexMessagesOf` / `reindexMessages`. Bulk
 * loads (the Drupal import, the data generator) write no row per message: they call
 * `indexMissingMessages` once at the end. A soft-deleted message keeps its row: whether its body
 * may be searched is the caller's right, decided at query time, as the thread view decides it.
 */

/** Indexes messages just written, in the caller's transaction. */
export const indexMessages = (db: Db, messages: { id: number; subject: string; body: string }[]) =>
  writeSearchRows(db, messages.map((m) => ({ id: m.id, text: indexTextOf(m.subject, m.body) })));

/** Drops the index rows of these messages (purge, erasure). */
export const unindexMessages = (db: Db, messageIds: number[]) => deleteSearchRows(db, messageIds);

/** Drops the index rows of every message `authorId` wrote (erasure of an account's messages). */
export const unindexMessagesOf = (db: Db, authorId: number) =>
  deleteSearchRowsIn(db, db(TABLES.messages).select('id').where('author_id', authorId) as unknown as Knex.QueryBuilder);

/** Drops the index rows of every message of these threads (threads deleted whole). */
export const unindexThreadMessages = (db: Db, threadIds: number[]) =>
  deleteSearchRowsIn(db, db(TABLES.messages).select('id').whereIn('thread_id', threadIds) as unknown as Knex.QueryBuilder);

/** Indexes these messages again from what they hold now (a body or subject rewritten in place). */
export const reindexMessages = async (db: Db, messageIds: number[]) => {
  for (let i = 0; i < messageIds.length; i += 500) {
    const rows = await db(`${TABLES.messages} as m`)
      .join(`${TABLES.threads} as t`, 't.id', 'm.thread_id')
      .select('m.id', 'm.body', 't.subject')
      .whereIn('m.id', messageIds.slice(i, i + 500));
    await indexMessages(db, rows.map((r: Record<string, unknown>) => ({ id: toInt(r.id), subject: String(r.subject ?? ''), body: String(r.body ?? '') })));
  }
};

/**
 * Indexes every message that has no row yet, in batches of `batch` (one read and one multi-row
 * write each, its own transaction), in id order from `afterId`: the bulk build after an import
 * (a resumed one too: whatever an interrupted run wrote is found), a generated data set, or the
 * upgrade that creates the index. Answers how many it indexed. After many, the planner's
 * statistics of the index are refreshed: PostgreSQL's tell which words are common (search-match.ts).
 */
const BULK_STATISTICS = 10_000;

export const indexMissingMessages = async (db: Knex, options: { batch?: number; afterId?: number; onProgress?: (n: number) => void } = {}) => {
  const batch = options.batch ?? 2000;
  let after = options.afterId ?? 0;
  let done = 0;
  for (;;) {
    // A window of the next `batch` ids (a range of the primary key), then which of them lack a row,
    // then the text of those alone. Filtering first and limiting after would let PostgreSQL's
    // planner answer each batch with an anti-join over the whole table: quadratic over a large build.
    const window = db(TABLES.messages).select('id').where('id', '>', after).orderBy('id').limit(batch).as('m');
    const ids = await db.from(window).select('m.id', db.raw(`case when ${notIndexed(db, 'm')} then 1 else 0 end as missing`)).orderBy('m.id');
    if (ids.length === 0) {
      if (done >= BULK_STATISTICS) await refreshStatistics(db, [tableOf(db)]);
      return done;
    }
    after = toInt(ids[ids.length - 1].id);
    const missing = ids.filter((r: Record<string, unknown>) => Number(r.missing) === 1).map((r: Record<string, unknown>) => toInt(r.id));
    if (missing.length === 0) continue;
    const rows = await db(`${TABLES.messages} as m`)
      .leftJoin(`${TABLES.threads} as t`, 't.id', 'm.thread_id')
      .select('m.id', 'm.body', 't.subject')
      .whereIn('m.id', missing);
    const messages = rows.map((r: Record<string, unknown>) => ({ id: toInt(r.id), subject: String(r.subject ?? ''), body: String(r.body ?? '') }));
    await db.transaction(async (trx) => indexMessages(trx, messages));
    done += messages.length;
    options.onProgress?.(done);
  }
};

/**
 * Creates the index when missing, and fills it from the messages already there when it was just
 * created, when `resume` says an earlier fill may not have finished (a boot stopped halfway), or
 * when PostgreSQL's GIN index, built after the fill, is missing. Then the index structure is made sure of.
 */
export const ensureMessageSearchIndex = async (db: Knex, options: { resume?: boolean } = {}) => {
  const created = await ensureSearchTable(db);
  const indexed = created || options.resume || (await searchStructureMissing(db)) ? await indexMissingMessages(db) : 0;
  await ensureSearchStructure(db);
  return { created, indexed };
};

export type SearchFilters = {
  threadId?: number;
  /** Messages of threads this user is (or was) a member of, as the caller is shown them. */
  participantId?: number;
  after?: Date;
  before?: Date;
  /** Older than this message id (the cursor). */
  beforeId?: number;
  /** Deleted messages too (the caller may view them). */
  withDeleted: boolean;
};

/**
 * From this many matching messages in the whole index on, a search walks the caller's messages
 * instead (PRIVATE_MESSAGES_SEARCH_COMMON_MATCHES, default 2,000: where the two plans cost about the same).
 */
const commonMatches = () => Number(process.env.PRIVATE_MESSAGES_SEARCH_COMMON_MATCHES) || 2000;

const MESSAGE_COLUMNS = ['id', 'document_id', 'thread_id', 'author_id', 'body', 'format', 'excerpt', 'deleted_at', 'created_at', 'audience', 'audience_user_id', 'fields'];

/**
 * The messages matching `words` that `userId` sees, newest first: in a thread they are a current
 * member of (as the thread view requires), and seen by them by the one rule
 * (visibility.seenBy: removal watermark, broadcast audience, never delivered while blocked), not
 * deleted unless `withDeleted`. Answers message rows with the thread's documentId and subject and
 * the caller's read watermark.
 */
export const searchMessages = async (db: Db, userId: number, words: string[], filters: SearchFilters, limit: number) => {
  // Rare words: start from their messages in the index. Common ones (commonMatches() or more in the
  // whole index, known from statistics or counted): walk the caller's messages newest first,
  // checking each one's index row, and stop after a page (docs/inbox-filters.md, *Message search*).
  // One thread's messages are few: walked too. Words known to be common are never looked up in the
  // index (search-match.ts); when all of them are, nothing is counted.
  const common = commonMatches();
  const split = await splitWords(db, words, common);
  const form = filters.threadId !== undefined || (await countMatchesUpTo(db, split, common)) >= common ? 'probe' : 'set';
  const match = matchCondition(db, words, 'm', form === 'set' ? split : null);
  // MySQL/MariaDB, a caller in many threads: the walk newest first, forced (search-frequency.ts).
  const walk = form === 'probe' && filters.threadId === undefined && (await walksNewestFirst(db, userId, split, limit));
  const q = walk
    ? db(db.raw('?? as m force index for order by (primary)', [TABLES.messages])).joinRaw('straight_join ?? as ms on ms.thread_id = m.thread_id and ms.user_id = ?', [
        TABLES.memberships,
        userId,
      ])
    : db(`${TABLES.messages} as m`).join(`${TABLES.memberships} as ms`, (j) => j.on('ms.thread_id', 'm.thread_id').andOnVal('ms.user_id', userId));
  q.join(`${TABLES.threads} as t`, 't.id', 'm.thread_id')
    .select(...MESSAGE_COLUMNS.map((c) => `m.${c}`), 't.document_id as thread_document_id', 't.subject as thread_subject', 'ms.last_read_message_id as viewer_last_read')
    .whereNull('ms.left_at')
    .whereRaw(match.sql, match.bindings)
    .whereRaw(seenBy('m', memberOf('ms')))
    .orderBy('m.id', 'desc')
    .limit(limit);
  if (!filters.withDeleted) q.whereNull('m.deleted_at');
  if (filters.threadId !== undefined) q.andWhere('m.thread_id', filters.threadId);
  if (filters.beforeId !== undefined) q.andWhere('m.id', '<', filters.beforeId);
  if (filters.after) q.andWhere('m.created_at', '>=', filters.after);
  if (filters.before) q.andWhere('m.created_at', '<', filters.before);
  if (filters.participantId !== undefined) {
    q.join(`${TABLES.memberships} as pm`, (j) => j.on('pm.thread_id', 'm.thread_id').andOnVal('pm.user_id', filters.participantId as number));
    q.whereRaw(memberSees('ms', 'pm', 't'));
  }
  return (await q) as Record<string, unknown>[];
};

/**
 * SQL condition for an inbox list (memberships `ms`): the thread holds a message matching `words`
 * that the member sees and is not deleted, through the same index (GET /threads?q=&in=all).
 */
export const threadHasMatch = async (db: Db, words: string[]) => {
  const match = matchCondition(db, words, 'sm', await splitWords(db, words, Infinity));
  return {
    sql: `exists (select 1 from ${TABLES.messages} as sm where sm.thread_id = ms.thread_id and sm.deleted_at is null
            and ${match.sql} and ${seenBy('sm', memberOf('ms'))})`,
    bindings: match.bindings,
  };
};
