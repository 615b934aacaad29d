import { isSqlite, type Db } from './client';

/**
 * A table to be read or changed by primary key only, for statements that name their rows by id
 * (`id IN (…)`) and also test columns some other index leads with. SQLite, which keeps no
 * statistics unless the site runs ANALYZE, takes an equality on an index's leading column over the
 * id list: the outbox's batch statements (`status = 'pending'` beside 25 ids) walked
 * pm_outbox_due_idx over every pending email, 2 to 3 ms a statement with 30,000 emails waiting
 * (after a message to a role, while the mail server is away), on the event loop. `NOT INDEXED`
 * leaves it the rowid (the INTEGER PRIMARY KEY) and nothing else. PostgreSQL and MySQL/MariaDB
 * plan the id list by primary key from their statistics: the table as it is.
 */
export const byPrimaryKey = (db: Db, table: string) => (isSqlite(db) ? db(db.raw('?? not indexed', [table])) : db(table));
