import type { Knex } from 'knex';
import { TABLES, type Db } from './db';
import { dialectOf, rawRows } from './dialect';

/**
 * The message search index, per database. Each holds, for every message, the tokens of its thread's
 * subject and of its body's plain text (utils/search-text: lowercase, no accents), one row per
 * message keyed by its id; visibility is never stored here, it is decided at query time
 * (repositories/visibility).
 *
 * - SQLite: an FTS5 table (better-sqlite3 compiles FTS5 in), rowid = message id, `unicode61`.
 * - PostgreSQL: a table of `tsvector`s (configuration `simple`: the tokens are already folded), the
 *   stored column, with a GIN index on it, queried with `to_tsquery` (`a & b:*`: prefixes, which
 *   `websearch_to_tsquery` cannot express; the tokens hold letters and digits only, so no query can
 *   fail to parse). The GIN index keeps a small pending list (GIN_OPTIONS, below).
 * - MySQL/MariaDB: an InnoDB table with a FULLTEXT index on the tokens, queried in boolean mode
 *   (`+a +b*`). The index is created with stop words off (`innodb_ft_enable_stopword`), so common
 *   words (`the`, `about`) are indexed and found. Tokens shorter than `innodb_ft_min_token_size`
 *   (3 by default, a server setting) are not in the FULLTEXT index: they are matched with LIKE on
 *   the tokens of the messages the other words found (or of all the caller's messages, when every
 *   word is short).
 *
 * Strapi's content types know none of these tables, and Strapi's schema sync leaves alone the
 * tables its stored schema never had (as it does the trigram index of search-indexes.ts): they
 * survive restarts and upgrades. How a query reads them: search-match.ts.
 */
export const SEARCH_TABLE = 'pm_message_search';
export const FTS_TABLE = 'pm_message_fts';
export const GIN_INDEX = 'pm_message_search_tsv_idx';

/**
 * PostgreSQL's GIN index, storage parameters. With `fastupdate` a write appends its entries to a
 * pending list instead of the index proper (one page write, not one per token), and every search
 * reads the whole pending list; the list is merged into the index when it outgrows
 * `gin_pending_list_limit`, by the write that outgrew it, or by (auto)vacuum. The default limit,
 * 4 MB, makes every search read up to 4 MB of pending entries and one write in many thousands pay
 * for merging them all; 64 kB (the smallest) bounds both: a search reads the pending entries of
 * about a hundred messages at most, and a merge costs as many.
 */
const GIN_OPTIONS: Record<string, string> = { fastupdate: 'on', gin_pending_list_limit: '64' };
const FULLTEXT_INDEX = 'pm_message_search_text_ft';

/**
 * Creates the index's table when missing; answers whether it did (then it must be filled, and
 * `ensureSearchStructure` called after). PostgreSQL's GIN index comes after the fill (one bulk
 * build instead of an update per row).
 */
export const ensureSearchTable = async (db: Knex): Promise<boolean> => {
  switch (dialectOf(db)) {
    case 'sqlite': {
      const rows = await rawRows(db, `select name from sqlite_master where type = 'table' and name = ?`, [FTS_TABLE]);
      if (rows.length > 0) return false;
      await db.raw(`create virtual table ${FTS_TABLE} using fts5(text, tokenize = 'unicode61')`);
      return true;
    }
    case 'postgres': {
      const rows = await rawRows(db, `select 1 from pg_tables where schemaname = current_schema() and tablename = ?`, [SEARCH_TABLE]);
      if (rows.length > 0) return false;
      await db.raw(`create table if not exists ${SEARCH_TABLE} (message_id bigint primary key, tsv tsvector not null)`);
      return true;
    }
    default: {
      const rows = await rawRows(db, 'select 1 from information_schema.tables where table_schema = database() and table_name = ?', [SEARCH_TABLE]);
      if (rows.length > 0) return false;
      // One connection for the session setting and the statement it applies to (DDL: no transaction).
      const client = (db as unknown as { client: { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<void> } }).client;
      const connection = await client.acquireConnection();
      try {
        await db.raw('set session innodb_ft_enable_stopword = 0').connection(connection);
        await db
          .raw(
            `create table if not exists ${SEARCH_TABLE} (message_id bigint unsigned not null primary key, text longtext not null,
               fulltext key ${FULLTEXT_INDEX} (text)) engine = InnoDB default charset = utf8mb4 collate = utf8mb4_bin`
          )
          .connection(connection);
      } finally {
        await db.raw('set session innodb_ft_enable_stopword = 1').connection(connection).catch(() => {});
        await client.releaseConnection(connection);
      }
      return true;
    }
  }
};

const ginOptionsSql = () => Object.entries(GIN_OPTIONS).map(([k, v]) => `${k} = ${v}`).join(', ');

/**
 * PostgreSQL: whether the GIN index is missing. Its table is created without it and filled first:
 * a missing one means that fill did not finish (or the index was dropped).
 */
export const searchStructureMissing = async (db: Knex) =>
  dialectOf(db) === 'postgres' &&
  (await rawRows(db, 'select 1 from pg_indexes where schemaname = current_schema() and indexname = ?', [GIN_INDEX])).length === 0;

/**
 * PostgreSQL: creates the GIN index when missing (after the table's fill), and gives an existing
 * one GIN_OPTIONS when it lacks them (an index of an earlier version). Idempotent; nothing elsewhere.
 */
export const ensureSearchStructure = async (db: Knex) => {
  if (dialectOf(db) !== 'postgres') return;
  const rows = await rawRows(
    db,
    `select c.reloptions::text[] as options from pg_class c where c.relname = ? and c.relnamespace = to_regnamespace(current_schema())::oid`,
    [GIN_INDEX]
  );
  if (rows.length === 0) {
    await db.raw(`create index if not exists ${GIN_INDEX} on ${SEARCH_TABLE} using gin (tsv) with (${ginOptionsSql()})`);
    return;
  }
  const has = new Set((rows[0].options as string[] | null) ?? []);
  if (Object.entries(GIN_OPTIONS).some(([k, v]) => !has.has(`${k}=${v}`))) {
    await db.raw(`alter index ${GIN_INDEX} set (${ginOptionsSql()})`);
    // Merges what an earlier, larger pending list holds (searches read all of it until then).
    await db.raw(`select gin_clean_pending_list(?::regclass)`, [GIN_INDEX]);
  }
};

/** Adds (or replaces) index rows: one multi-row statement. */
export const writeSearchRows = async (db: Db, rows: { id: number; text: string }[]) => {
  if (rows.length === 0) return;
  const ids = rows.map((r) => r.id);
  switch (dialectOf(db)) {
    case 'sqlite':
      await deleteSearchRows(db, ids);
      await db.raw(`insert into ${FTS_TABLE} (rowid, text) values ${rows.map(() => '(?, ?)').join(', ')}`, rows.flatMap((r) => [r.id, r.text]));
      return;
    case 'postgres':
      await db.raw(
        `insert into ${SEARCH_TABLE} (message_id, tsv) values ${rows.map(() => `(?, to_tsvector('simple', ?))`).join(', ')}
         on conflict (message_id) do update set tsv = excluded.tsv`,
        rows.flatMap((r) => [r.id, r.text])
      );
      return;
    default:
      await db.raw(`replace into ${SEARCH_TABLE} (message_id, text) values ${rows.map(() => '(?, ?)').join(', ')}`, rows.flatMap((r) => [r.id, r.text]));
  }
};

export const idColumn = (db: Db) => (dialectOf(db) === 'sqlite' ? 'rowid' : 'message_id');
export const tableOf = (db: Db) => (dialectOf(db) === 'sqlite' ? FTS_TABLE : SEARCH_TABLE);

/** Removes the index rows of these messages. */
export const deleteSearchRows = async (db: Db, ids: number[]) => {
  for (let i = 0; i < ids.length; i += 500) await db(tableOf(db)).whereIn(idColumn(db), ids.slice(i, i + 500)).delete();
};

/** Removes the index rows of the messages a subquery (one column of message ids) selects. */
export const deleteSearchRowsIn = (db: Db, messageIds: Knex.QueryBuilder) => db(tableOf(db)).whereIn(idColumn(db), messageIds).delete();

/** SQL condition: the message aliased `m` has no index row. */
export const notIndexed = (db: Db, m: string) => `not exists (select 1 from ${tableOf(db)} x where x.${idColumn(db)} = ${m}.id)`;
