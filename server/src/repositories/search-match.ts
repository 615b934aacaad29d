import { TABLES, type Db } from './db';
import { dialectOf, rawRows } from './dialect';
import { FTS_TABLE, SEARCH_TABLE } from './search-dialect';

/**
 * How a query reads the message search index (search-dialect.ts holds how each database keeps it).
 * A query is words, every one required, the last one a prefix (utils/search-text).
 *
 * The index is asked only for the words it finds cheaply (`splitWords`); the others are checked on
 * the rows it found, by their stored tokens:
 * - a word known to be in `cap` messages or more (PostgreSQL: its statistics, `pg_stats`' most
 *   common elements of the tokens; SQLite, MySQL/MariaDB: a sample of the index rows): reading its
 *   whole list is the cost the two plans of message-search.ts exist to avoid. When every word is
 *   such a word, the search walks the caller's messages without asking the index at all;
 * - the prefix (the last word) when a whole word is looked up. A prefix matches a range of tokens,
 *   and each database reads every row of that range before combining it with the other words
 *   (PostgreSQL collects a GIN partial match into a bitmap whole; MySQL's FULLTEXT and FTS5 read
 *   the whole list): `1234 order` would read every message holding `order…` to keep the ten
 *   holding `1234`. Whole words are combined by skipping through the lists (GIN's and FTS5's AND);
 * - MySQL/MariaDB: the words the FULLTEXT index may lack (shorter than `innodb_ft_min_token_size`,
 *   stop words).
 */

export type QueryWord = { w: string; prefix: boolean };
/** `indexed`: looked up in the index; `checked`: compared with the stored tokens of what it found. */
export type WordSplit = { indexed: QueryWord[]; checked: QueryWord[] };

const clientOf = (db: Db) => (db as unknown as { client: object }).client;

/**
 * MySQL/MariaDB: what the FULLTEXT index may lack, read once per client: tokens shorter than
 * `innodb_ft_min_token_size`, and the server's stop words. The index is created with stop words
 * off, but a copy of the table (a dump restored, CREATE TABLE … LIKE) builds its index again under
 * the restoring session's setting, so the query never relies on stop words being indexed.
 */
type FulltextLimits = { minTokenSize: number; stopwords: Set<string> };
const limitsByClient = new WeakMap<object, FulltextLimits>();
const fulltextLimits = async (db: Db) => {
  let limits = limitsByClient.get(clientOf(db));
  if (!limits) {
    const [settings] = await rawRows(db, 'select @@innodb_ft_min_token_size as size, @@innodb_ft_server_stopword_table as server_table');
    const table = settings.server_table ? String(settings.server_table).replace('/', '.') : null;
    const words = await rawRows(db, table ? `select value from ${table.split('.').map((p) => `\`${p.replace(/`/g, '')}\``).join('.')}` : 'select value from information_schema.innodb_ft_default_stopword');
    limits = { minTokenSize: Number(settings.size) || 3, stopwords: new Set(words.map((w) => String(w.value).toLowerCase())) };
    limitsByClient.set(clientOf(db), limits);
  }
  return limits;
};

/**
 * PostgreSQL: how many rows hold each of the index's most common tokens, from `pg_stats` (ANALYZE
 * samples the tsvector column and keeps its most common elements with their frequencies: the
 * first 1,000 tokens at the default statistics target), read at most every 5 minutes per client.
 * Null without statistics (never analyzed). Only ever a plan choice: both plans find the same rows.
 */
const STATS_TTL_MS = 5 * 60_000;
const statsByClient = new WeakMap<object, { at: number; rows: Map<string, number> | null }>();
const commonTokenRows = async (db: Db) => {
  const cached = statsByClient.get(clientOf(db));
  if (cached && Date.now() - cached.at < STATS_TTL_MS) return cached.rows;
  const [row] = await rawRows(
    db,
    `select s.most_common_elems::text::text[] as tokens, s.most_common_elem_freqs::float8[] as freqs, c.reltuples::float8 as total
       from pg_stats s join pg_class c on c.relname = s.tablename and c.relnamespace = to_regnamespace(s.schemaname)
      where s.schemaname = current_schema() and s.tablename = ? and s.attname = 'tsv'`,
    [SEARCH_TABLE]
  );
  let rows: Map<string, number> | null = null;
  if (row && Array.isArray(row.tokens) && Number(row.total) > 0) {
    const freqs = row.freqs as number[];
    rows = new Map((row.tokens as string[]).map((t, i) => [t, freqs[i] * Number(row.total)]));
  }
  statsByClient.set(clientOf(db), { at: Date.now(), rows });
  return rows;
};

/** At least how many rows hold `x` by the statistics (a prefix: its most common token's). */
const knownRows = (rows: Map<string, number>, x: QueryWord) => {
  if (!x.prefix) return rows.get(x.w) ?? 0;
  let most = 0;
  for (const [token, n] of rows) if (token.startsWith(x.w) && n > most) most = n;
  return most;
};

/**
 * SQLite and MySQL/MariaDB keep no statistics of their full-text index: which words are common
 * is read from a sample instead, the index rows of SAMPLE message ids spread evenly over all ids
 * (the highest id read at most every 5 minutes). A word in SAMPLE_HITS of them or more is in about
 * 0.6% of all messages or more: common when that makes `cap` messages. One statement of SAMPLE
 * lookups by key; a rare word is almost never in 3 of them.
 */
const SAMPLE = 500;
const SAMPLE_HITS = 3;
const topByClient = new WeakMap<object, { at: number; top: number }>();
const sampledCommon = async (db: Db, all: QueryWord[], cap: number) => {
  let cached = topByClient.get(clientOf(db));
  if (!cached || Date.now() - cached.at >= STATS_TTL_MS) {
    const [row] = await rawRows(db, `select max(id) as top from ${TABLES.messages}`);
    cached = { at: Date.now(), top: Number(row?.top) || 0 };
    topByClient.set(clientOf(db), cached);
  }
  const { top } = cached;
  if (top < SAMPLE) return new Set<QueryWord>();
  const ids = Array.from({ length: SAMPLE }, (_, i) => Math.floor((top * (i + 0.5)) / SAMPLE));
  const sums = all.map((x, i) => {
    const holds = rowHolds(db, 's', [x]);
    return { sql: `sum(case when ${holds.sql} then 1 else 0 end) as h${i}`, bindings: holds.bindings };
  });
  const sqlite = dialectOf(db) === 'sqlite';
  const [row] = await rawRows(
    db,
    `select count(*) as n, ${sums.map((x) => x.sql).join(', ')} from ${sqlite ? FTS_TABLE : SEARCH_TABLE} s
      where s.${sqlite ? 'rowid' : 'message_id'} in (${ids.map(() => '?').join(', ')})`,
    [...sums.flatMap((x) => x.bindings), ...ids]
  );
  const needed = Math.max(SAMPLE_HITS, (cap * Number(row.n)) / top);
  return new Set(all.filter((_, i) => Number(row[`h${i}`]) >= needed));
};

/** Which words the index is asked for, and which are checked on the rows it finds (above). */
export const splitWords = async (db: Db, words: string[], cap: number): Promise<WordSplit> => {
  const all = words.map((w, i) => ({ w, prefix: i === words.length - 1 }));
  let usable = (_: QueryWord) => true;
  if (dialectOf(db) === 'postgres') {
    const rows = await commonTokenRows(db);
    if (rows) usable = (x) => knownRows(rows, x) < cap;
  } else if (Number.isFinite(cap)) {
    const common = await sampledCommon(db, all, cap);
    usable = (x) => !common.has(x);
  }
  if (dialectOf(db) === 'mysql') {
    const { minTokenSize, stopwords } = await fulltextLimits(db);
    // A prefix shorter than the index's tokens still finds the longer ones; a stop word as a prefix finds its longer words only.
    const known = usable;
    usable = (x) => known(x) && [...x.w].length >= minTokenSize && !stopwords.has(x.w);
  }
  let indexed = all.filter(usable);
  if (indexed.some((x) => !x.prefix)) indexed = indexed.filter((x) => !x.prefix);
  return { indexed, checked: all.filter((x) => !indexed.includes(x)) };
};

/**
 * LIKE conditions matching whole tokens in a column of space-separated tokens: ` w ` anywhere, or
 * ` w…` for a prefix. The tokens hold letters and digits only: no LIKE wildcard.
 */
const tokenLikes = (words: QueryWord[], padded: string) => ({
  sql: words.map(() => `${padded} like ?`).join(' and '),
  bindings: words.map((x) => `% ${x.w}${x.prefix ? '' : ' '}%`),
});

/** FTS5 strings: double quotes doubled. The tokens hold letters and digits only anyway. */
const ftsString = (x: QueryWord) => `"${x.w.replace(/"/g, '""')}"${x.prefix ? '*' : ''}`;
const tsquery = (words: QueryWord[]) => words.map((x) => (x.prefix ? `${x.w}:*` : x.w)).join(' & ');

/** SQL condition on index row `s`: it holds `words`, by its stored tokens (no index read). */
const rowHolds = (db: Db, s: string, words: QueryWord[]): { sql: string; bindings: string[] } => {
  switch (dialectOf(db)) {
    case 'sqlite': {
      // A MATCH per row would read the words' whole lists each time; the row's tokens are compared instead.
      return tokenLikes(words, `(' ' || ${s}.text || ' ')`);
    }
    case 'postgres':
      return { sql: `${s}.tsv @@ to_tsquery('simple', ?)`, bindings: [tsquery(words)] };
    default:
      // A FULLTEXT MATCH cannot be checked on one row by its key.
      return tokenLikes(words, `concat(' ', ${s}.text, ' ')`);
  }
};

/**
 * The ids of the messages holding every word, read from the index (a subquery of one column), or
 * null when no word can be looked up (MySQL with only short words or stop words).
 */
export const indexSubquery = (db: Db, split: WordSplit): { sql: string; bindings: string[] } | null => {
  if (split.indexed.length === 0) return null;
  const checked = split.checked.length > 0 && dialectOf(db) !== 'mysql' ? rowHolds(db, 'c', split.checked) : null;
  switch (dialectOf(db)) {
    case 'sqlite': {
      const lookup = `select rowid as message_id, text from ${FTS_TABLE} where ${FTS_TABLE} match ?`;
      const bindings = [split.indexed.map(ftsString).join(' ')];
      return checked
        ? { sql: `select c.message_id from (${lookup}) c where ${checked.sql}`, bindings: [...bindings, ...checked.bindings] }
        : { sql: `select rowid from ${FTS_TABLE} where ${FTS_TABLE} match ?`, bindings };
    }
    case 'postgres': {
      const bindings = [tsquery(split.indexed)];
      // `offset 0` keeps the checked words out of the GIN scan: PostgreSQL pushes no condition
      // into a subquery with an OFFSET, so they are compared on the few rows it returns.
      return checked
        ? {
            sql: `select c.message_id from (select message_id, tsv from ${SEARCH_TABLE} where tsv @@ to_tsquery('simple', ?) offset 0) c where ${checked.sql}`,
            bindings: [...bindings, ...checked.bindings],
          }
        : { sql: `select message_id from ${SEARCH_TABLE} where tsv @@ to_tsquery('simple', ?)`, bindings };
    }
    default: {
      // MySQL evaluates the other conditions on the rows the FULLTEXT lookup found.
      const rest = split.checked.length > 0 ? rowHolds(db, 's', split.checked) : null;
      return {
        sql: `select s.message_id from ${SEARCH_TABLE} s where match (s.text) against (? in boolean mode)${rest ? ` and ${rest.sql}` : ''}`,
        bindings: [split.indexed.map((x) => `+${x.w}${x.prefix ? '*' : ''}`).join(' '), ...(rest?.bindings ?? [])],
      };
    }
  }
};

/**
 * SQL condition: the message aliased `m` holds every word (the last one as a prefix). Two forms,
 * for the two plans a search can take (message-search.ts picks one):
 * - `set`: `m.id in (<indexSubquery>)`, which the planner starts from: a rare word's few messages,
 *   then their memberships;
 * - `probe`: a check of one message's index row by its key, against its stored tokens, for a
 *   common word: the caller's messages are walked newest first and the walk stops after a page of
 *   matches.
 * `set` without an index subquery (MySQL, only short words) is `probe`.
 */
export const matchCondition = async (db: Db, words: string[], m: string, form: 'set' | 'probe', split?: WordSplit) => {
  const all = words.map((w, i) => ({ w, prefix: i === words.length - 1 }));
  const inner = form === 'set' ? indexSubquery(db, split ?? (await splitWords(db, words, Infinity))) : null;
  if (inner) return { sql: `${m}.id in (${inner.sql})`, bindings: inner.bindings };
  const table = dialectOf(db) === 'sqlite' ? FTS_TABLE : SEARCH_TABLE;
  const key = dialectOf(db) === 'sqlite' ? 'rowid' : 'message_id';
  const holds = rowHolds(db, 's', all);
  return { sql: `exists (select 1 from ${table} s where s.${key} = ${m}.id and ${holds.sql})`, bindings: holds.bindings };
};

/**
 * How many messages of the whole index the split's index subquery finds, counted up to `cap` (the
 * index alone: cheap when its words are rare, bounded otherwise); `cap` when it has none.
 */
export const countMatchesUpTo = async (db: Db, split: WordSplit, cap: number) => {
  const inner = indexSubquery(db, split);
  if (!inner) return cap;
  const rows = await rawRows(db, `select count(*) as n from (${inner.sql} limit ${Number(cap)}) c`, inner.bindings);
  return Number(rows[0].n);
};
