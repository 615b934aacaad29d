import { isPostgres, isSqlite, type Db } from './client';

/*
 * What a database offers, asked by name by the code that depends on it (services and the realtime
 * layer included: they never learn which database it is).
 */

/** Whether the database carries notifications between its sessions (PostgreSQL's LISTEN/NOTIFY). */
export const supportsListenNotify = (db: Db) => isPostgres(db);

/**
 * Whether several processes (instances of the site) may share the database. A SQLite file is one
 * process's: what only that process knows (its stream's events) needs no carrying elsewhere.
 */
export const isSharedByProcesses = (db: Db) => !isSqlite(db);

/**
 * Whether a trigram index can serve `ILIKE '%…%'` (PostgreSQL's pg_trgm): search-indexes.ts says
 * why MySQL/MariaDB get none, and SQLite needs none.
 */
export const supportsTrigramIndex = (db: Db) => isPostgres(db);
