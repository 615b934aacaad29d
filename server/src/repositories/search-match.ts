import type { Db } from './db';
import { dialectOf, rawRows } from './dialect';
import { FTS_TABLE, SEARCH_TABLE } from './search-dialect';

/**
 * How a query reads the message search index (search-dialect.ts holds how each database keeps it).
 * A query is words, every one required, the last one a prefix (utils/search-text). The index is
 * asked only for the words it finds cheaply (`indexed`); the others (`checked`) are compared with
 * the stored tokens of the rows it found. Which words are which: search-frequency.ts.
 */

export type QueryWord = { w: string; prefix: boolean };
/**
 * `indexed`: looked up in the index; `checked`: compared with the stored tokens of what it found;
 * `share`: about which share of all messages holds every word, where a sample measured it.
 */
export type WordSplit = { indexed: QueryWord[]; checked: QueryWord[]; share?: number };

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
export const rowHolds = (db: Db, s: string, words: QueryWord[]): { sql: string; bindings: string[] } => {
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
 * - with a split, the set: `m.id in (<indexSubquery>)`, which the planner starts from: a rare
 *   word's few messages, then their memberships;
 * - without (or when the split looks nothing up: MySQL, only short words), the probe: a check of
 *   one message's index row by its key, against its stored tokens, for a common word: the caller's
 *   messages are walked newest first and the walk stops after a page of matches.
 */
export const matchCondition = (db: Db, words: string[], m: string, split: WordSplit | null) => {
  const inner = split ? indexSubquery(db, split) : null;
  if (inner) return { sql: `${m}.id in (${inner.sql})`, bindings: inner.bindings };
  const all = words.map((w, i) => ({ w, prefix: i === words.length - 1 }));
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
