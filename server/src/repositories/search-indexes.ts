import { TABLES, type Db } from './db';
import { supportsTrigramIndex } from './dialect';

/** Indexes that Strapi's content-type schemas cannot declare, created by the plugin's bootstrap. */

export const SUBJECT_TRGM_INDEX = 'pm_threads_subject_trgm_idx';

/**
 * MySQL/MariaDB get no index here, on purpose: nothing both offers serves "contains" (`%…%`). Their
 * B-tree indexes serve prefixes only; InnoDB FULLTEXT matches whole words (`ello` would not find
 * `Hello`), and its ngram parser is MySQL-only (not in MariaDB) and matches by the column's
 * collation (accent-insensitive) with stopwords dropping n-grams. So `q` walks the caller's inbox
 * index in order and checks each thread's subject, stopping after a page of matches, as on SQLite
 * (plans in docs/inbox-filters.md); the portable way to a rare term's threads would be a trigram
 * table of our own, kept by thread writes.
 *
 * PostgreSQL only: a trigram (pg_trgm) GIN index on thread subjects, so that the inbox's `q`
 * filter (`subject ILIKE '%…%'`) finds a rare term's few threads through the index instead of
 * walking the user's inbox; for a common term the planner keeps walking the inbox index, which
 * stops after one page of matches. Idempotent. Strapi's schema sync leaves the index alone (it
 * only drops indexes it created itself).
 *
 * Needs the pg_trgm extension, which ships with PostgreSQL and is "trusted" since PostgreSQL 13
 * (a database owner may create it). Best effort: where it cannot be created, `q` still works,
 * without the index. On a large existing table the one-time build locks thread writes for its
 * duration; create it beforehand with CREATE INDEX CONCURRENTLY to avoid that.
 *
 * Returns what happened, for the log: 'created', 'exists', 'skipped' (not PostgreSQL), or an
 * error message.
 */
export const ensureSubjectSearchIndex = async (db: Db): Promise<'created' | 'exists' | 'skipped' | { error: string }> => {
  if (!supportsTrigramIndex(db)) return 'skipped';
  try {
    const { rows } = await db.raw('select 1 from pg_indexes where tablename = ? and indexname = ?', [TABLES.threads, SUBJECT_TRGM_INDEX]);
    if (rows.length > 0) return 'exists';
    await db.raw('create extension if not exists pg_trgm');
    await db.raw(`create index if not exists ?? on ?? using gin (subject gin_trgm_ops)`, [SUBJECT_TRGM_INDEX, TABLES.threads]);
    return 'created';
  } catch (e) {
    return { error: (e as Error).message };
  }
};
