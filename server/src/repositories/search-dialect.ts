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
 * - PostgreSQL: a table of `tsvector`s (configuration `simple`: the tokens are already folded) with
 *   a GIN index, queried with `to_tsquery` (`a & b:*`: prefixes, which `websearch_to_tsquery`
 *   cannot express; the tokens hold letters and digits only, so no query can fail to parse).
 * - MySQL/MariaDB: an InnoDB table with a FULLTEXT index on the tokens, queried in boolean mode
 *   (`+a +b*`). The index is created with stop words off (`innodb_ft_enable_stopword`), so common
 *   words (`the`, `about`) are indexed and found. Tokens shorter than `innodb_ft_min_token_size`
 *   (3 by default, a server setting) are not in the FULLTEXT index: they are matched with LIKE on
 *   the tokens of the messages the other words found (or of all the caller's messages, when every
 *   word is short).
 *
 * Strapi's content types know none of these tables, and Strapi's schema sync leaves alone the
 * tables its stored schema never had (as it does the trigram index of search-indexes.ts): they
 * survive restarts and upgrades.
 */
export const SEARCH_TABLE = 'pm_message_search';
export const FTS_TABLE = 'pm_message_fts';
const GIN_INDEX = 'pm_message_search_tsv_idx';
const FULLTEXT_INDEX = 'pm_message_search_text_ft';

/** Creates the index's table when missing; answers whether it did (then it must be filled). */
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
      await db.raw(`create index if not exists ${GIN_INDEX} on ${SEARCH_TABLE} using gin (tsv)`);
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

const idColumn = (db: Db) => (dialectOf(db) === 'sqlite' ? 'rowid' : 'message_id');
const tableOf = (db: Db) => (dialectOf(db) === 'sqlite' ? FTS_TABLE : SEARCH_TABLE);

/** Removes the index rows of these messages. */
export const deleteSearchRows = async (db: Db, ids: number[]) => {
  for (let i = 0; i < ids.length; i += 500) await db(tableOf(db)).whereIn(idColumn(db), ids.slice(i, i + 500)).delete();
};

/** Removes the index rows of the messages a subquery (one column of message ids) selects. */
export const deleteSearchRowsIn = (db: Db, messageIds: Knex.QueryBuilder) => db(tableOf(db)).whereIn(idColumn(db), messageIds).delete();

/** SQL condition: the message aliased `m` has no index row. */
export const notIndexed = (db: Db, m: string) => `not exists (select 1 from ${tableOf(db)} x where x.${idColumn(db)} = ${m}.id)`;

/**
 * MySQL/MariaDB: what the FULLTEXT index may lack, read once per client: tokens shorter than
 * `innodb_ft_min_token_size`, and the server's stop words. The index is created with stop words
 * off, but a copy of the table (a dump restored, CREATE TABLE … LIKE) builds its index again under
 * the restoring session's setting, so the query never relies on stop words being indexed.
 */
type FulltextLimits = { minTokenSize: number; stopwords: Set<string> };
const limitsByClient = new WeakMap<object, FulltextLimits>();
const fulltextLimits = async (db: Db) => {
  const client = (db as unknown as { client: object }).client;
  let limits = limitsByClient.get(client);
  if (!limits) {
    const [settings] = await rawRows(db, 'select @@innodb_ft_min_token_size as size, @@innodb_ft_server_stopword_table as server_table');
    const table = settings.server_table ? String(settings.server_table).replace('/', '.') : null;
    const words = await rawRows(db, table ? `select value from ${table.split('.').map((p) => `\`${p.replace(/`/g, '')}\``).join('.')}` : 'select value from information_schema.innodb_ft_default_stopword');
    limits = { minTokenSize: Number(settings.size) || 3, stopwords: new Set(words.map((w) => String(w.value).toLowerCase())) };
    limitsByClient.set(client, limits);
  }
  return limits;
};

/**
 * LIKE conditions matching whole tokens in a column of space-separated tokens: ` w ` anywhere, or
 * ` w…` for the last word (a prefix). The tokens hold letters and digits only: no LIKE wildcard.
 */
const tokenLikes = (words: string[], padded: (column: string) => string, column: string) => ({
  sql: words.map(() => `${padded(column)} like ?`).join(' and '),
  bindings: words.map((w, i) => `% ${w}${i === words.length - 1 ? '' : ' '}%`),
});

/** FTS5 strings: double quotes doubled. The tokens hold letters and digits only anyway. */
const ftsString = (word: string) => `"${word.replace(/"/g, '""')}"`;

/**
 * SQL condition: the message aliased `m` holds every word in its tokens (the last one as a prefix).
 * Two forms, for the two plans a search can take (message-search.ts picks one):
 * - `set`: a subquery of the index (`m.id in (…)`) the planner starts from: a rare word's few
 *   messages, then their memberships;
 * - `probe`: a check of one message's index row by its key (`exists (… = m.id)`), for a common word:
 *   the caller's messages are walked newest first and the walk stops after a page of matches.
 * On MySQL/MariaDB the words the FULLTEXT index may lack (short ones, stop words) are matched with
 * LIKE on the tokens (whole tokens: the text is tokens separated by spaces), in `set` on the rows
 * the other words found; `probe` matches every word so (a FULLTEXT MATCH cannot be checked on one
 * row by its key).
 */
export const matchCondition = async (db: Db, words: string[], m: string, form: 'set' | 'probe' = 'set'): Promise<{ sql: string; bindings: string[] }> => {
  const last = words.length - 1;
  switch (dialectOf(db)) {
    case 'sqlite': {
      const bindings = [words.map((w, i) => (i === last ? `${ftsString(w)}*` : ftsString(w))).join(' ')];
      if (form === 'set') return { sql: `${m}.id in (select rowid from ${FTS_TABLE} where ${FTS_TABLE} match ?)`, bindings };
      // A MATCH per row would read the words' whole lists each time (a prefix: every word's that
      // starts so); the row's stored tokens, read by rowid, are compared instead.
      const likes = tokenLikes(words, (text) => `(' ' || ${text} || ' ')`, 'f.text');
      return { sql: `exists (select 1 from ${FTS_TABLE} f where f.rowid = ${m}.id and ${likes.sql})`, bindings: likes.bindings };
    }
    case 'postgres': {
      const bindings = [words.map((w, i) => (i === last ? `${w}:*` : w)).join(' & ')];
      return form === 'set'
        ? { sql: `${m}.id in (select message_id from ${SEARCH_TABLE} where tsv @@ to_tsquery('simple', ?))`, bindings }
        : { sql: `exists (select 1 from ${SEARCH_TABLE} s where s.message_id = ${m}.id and s.tsv @@ to_tsquery('simple', ?))`, bindings };
    }
    default: {
      const { minTokenSize, stopwords } = await fulltextLimits(db);
      const all = words.map((w, i) => ({ w, prefix: i === last }));
      // A prefix shorter than the index's tokens still finds the longer ones; a stop word as a prefix finds its longer words only.
      const indexed = (x: { w: string; prefix: boolean }) => form === 'set' && [...x.w].length >= minTokenSize && !stopwords.has(x.w);
      const long = all.filter(indexed);
      const conditions: string[] = [];
      const bindings: string[] = [];
      if (long.length > 0) {
        conditions.push('match (s.text) against (? in boolean mode)');
        bindings.push(long.map((x) => `+${x.w}${x.prefix ? '*' : ''}`).join(' '));
      }
      for (const x of all.filter((y) => !indexed(y))) {
        // Whole tokens (space-separated): ` w ` anywhere, or ` w…` for the prefix.
        conditions.push(`concat(' ', s.text, ' ') like ?`);
        bindings.push(`% ${x.w}${x.prefix ? '' : ' '}%`);
      }
      return long.length > 0
        ? { sql: `${m}.id in (select s.message_id from ${SEARCH_TABLE} s where ${conditions.join(' and ')})`, bindings }
        : { sql: `exists (select 1 from ${SEARCH_TABLE} s where s.message_id = ${m}.id and ${conditions.join(' and ')})`, bindings };
    }
  }
};

/**
 * How many messages of the whole index match, counted up to `cap` (the index alone, cheap for a
 * rare word, bounded for a common one): whether the `set` plan's candidates are few.
 */
export const countMatchesUpTo = async (db: Db, words: string[], cap: number) => {
  const { sql, bindings } = await matchCondition(db, words, 'x', 'set');
  const inner = /^x\.id in \((.*)\)$/s.exec(sql);
  if (!inner) return cap; // MySQL with only short words: no index to start from
  const rows = await rawRows(db, `select count(*) as n from (${inner[1]} limit ${Number(cap)}) c`, bindings);
  return Number(rows[0].n);
};
