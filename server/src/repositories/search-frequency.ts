import { TABLES, type Db } from './db';
import { dialectOf, rawRows } from './dialect';
import { FTS_TABLE, SEARCH_TABLE } from './search-dialect';
import { rowHolds, type QueryWord, type WordSplit } from './search-match';

/**
 * Which words of a query the index looks up (search-match.ts): the others are checked on the rows
 * it found, by their stored tokens.
 * - A word known to be in `cap` messages or more (PostgreSQL: its statistics, `pg_stats`' most
 *   common elements of the tokens; SQLite, MySQL/MariaDB: a sample of the index rows) is not
 *   looked up: reading its whole list is the cost the two plans of message-search.ts exist to
 *   avoid. When every word is such a word, the search walks the caller's messages without asking
 *   the index at all (no count either).
 * - The prefix (the last word) is not looked up when a whole word is. A prefix matches a range of
 *   tokens, and each database reads every row of that range before combining it with the other
 *   words (PostgreSQL collects a GIN partial match into a bitmap whole; MySQL's FULLTEXT and FTS5
 *   read the whole list): `1234 order` would read every message holding `order…` to keep the ten
 *   holding `1234`. Whole words are combined by skipping through the lists (GIN's and FTS5's AND).
 * - MySQL/MariaDB: the words the FULLTEXT index may lack (shorter than `innodb_ft_min_token_size`,
 *   stop words).
 * All of this is only ever a plan choice: both plans find the same messages.
 */

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
 * Null without statistics (never analyzed).
 */
const STATS_TTL_MS = 5 * 60_000;
const statsByClient = new WeakMap<object, { at: number; rows: Map<string, number> | null }>();
const commonTokenRows = async (db: Db) => {
  const cached = statsByClient.get(clientOf(db));
  if (cached && Date.now() - cached.at < STATS_TTL_MS) return cached.rows;
  const [row] = await rawRows(
    db,
    `select s.most_common_elems::text::text[] as tokens, s.most_common_elem_freqs::float8[] as freqs, c.reltuples::float8 as total
       from pg_stats s join pg_class c on c.relname = s.tablename and c.relnamespace = to_regnamespace(s.schemaname)::oid
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
const topsByClient = new WeakMap<object, { at: number; messages: number; threads: number }>();
/** The highest message and thread ids: about how many there are (read at most every 5 minutes). */
const tops = async (db: Db) => {
  let cached = topsByClient.get(clientOf(db));
  if (!cached || Date.now() - cached.at >= STATS_TTL_MS) {
    const [row] = await rawRows(db, `select (select max(id) from ${TABLES.messages}) as messages, (select max(id) from ${TABLES.threads}) as threads`);
    cached = { at: Date.now(), messages: Number(row?.messages) || 0, threads: Number(row?.threads) || 0 };
    topsByClient.set(clientOf(db), cached);
  }
  return cached;
};

/** The words in SAMPLE_HITS sampled rows or more (when that makes `cap` messages), and the share of the sample holding every word. */
const sampledCommon = async (db: Db, all: QueryWord[], cap: number) => {
  const top = (await tops(db)).messages;
  if (top < SAMPLE) return { common: new Set<QueryWord>(), share: undefined };
  const ids = Array.from({ length: SAMPLE }, (_, i) => Math.floor((top * (i + 0.5)) / SAMPLE));
  const sums = [...all.map((x) => [x]), all].map((words, i) => {
    const holds = rowHolds(db, 's', words);
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
  const n = Number(row.n);
  return { common: new Set(all.filter((_, i) => Number(row[`h${i}`]) >= needed)), share: n > 0 ? Number(row[`h${all.length}`]) / n : undefined };
};

/** Which words the index is asked for, and which are checked on the rows it finds (above). */
export const splitWords = async (db: Db, words: string[], cap: number): Promise<WordSplit> => {
  const all = words.map((w, i) => ({ w, prefix: i === words.length - 1 }));
  let usable = (_: QueryWord) => true;
  let share: number | undefined;
  if (dialectOf(db) === 'postgres') {
    const rows = await commonTokenRows(db);
    if (rows) usable = (x) => knownRows(rows, x) < cap;
  } else if (Number.isFinite(cap)) {
    const sampled = await sampledCommon(db, all, cap);
    usable = (x) => !sampled.common.has(x);
    share = sampled.share;
  }
  if (dialectOf(db) === 'mysql') {
    const { minTokenSize, stopwords } = await fulltextLimits(db);
    // A prefix shorter than the index's tokens still finds the longer ones; a stop word as a prefix finds its longer words only.
    const known = usable;
    usable = (x) => known(x) && [...x.w].length >= minTokenSize && !stopwords.has(x.w);
  }
  let indexed = all.filter(usable);
  if (indexed.some((x) => !x.prefix)) indexed = indexed.filter((x) => !x.prefix);
  return { indexed, checked: all.filter((x) => !indexed.includes(x)), share };
};

/**
 * MySQL/MariaDB: whether the walk of a common word's search goes through all messages newest first
 * (the primary key backwards, the caller's membership of each looked up) instead of reading every
 * message of the caller's threads and sorting them. MariaDB's optimizer orders the joins by the rows
 * they read and does not weigh the LIMIT, so it always reads all of the caller's messages: right
 * for most callers, and for a caller in thousands of threads a read of all their messages where a
 * walk of a few thousand would find the page. Walking reads about page / (their share of all
 * messages × the words' share) messages; reading theirs, their number: with the caller's threads
 * (one count of their memberships, by index) times the average thread's messages, walking wins
 * when theirs² × the words' share > page × all messages. PostgreSQL and SQLite weigh the LIMIT
 * themselves.
 */
export const walksNewestFirst = async (db: Db, userId: number, split: WordSplit, page: number) => {
  if (dialectOf(db) !== 'mysql' || !split.share) return false;
  const { messages, threads } = await tops(db);
  const [row] = await rawRows(db, `select count(*) as n from (select 1 from ${TABLES.memberships} where user_id = ? and left_at is null limit 100000) x`, [userId]);
  const theirs = (Number(row.n) * messages) / Math.max(1, threads);
  return theirs * theirs * split.share > page * messages;
};
