import { createRequire } from 'node:module';
import path from 'node:path';

/*
 * The Drupal database the importer reads: MySQL/MariaDB through mysql2, PostgreSQL through pg.
 * The drivers are optional peer dependencies of the package: they are loaded from the Strapi app
 * being imported into (its node_modules), where a site on that database already has one.
 */

export type SourceKind = 'mysql' | 'postgres';

export type Source = {
  kind: SourceKind;
  /** A name for this database in the import map (host, port and database, never the password). */
  key: string;
  /** Runs SQL written with `?` placeholders; answers plain rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The columns of a table, lower-cased, with their types; empty when the table does not exist. */
  columns(table: string): Promise<Map<string, string>>;
  close(): Promise<void>;
};

/** Loads a driver from the app first, then from wherever this package can see one. */
const loadDriver = (name: string) => {
  for (const base of [path.join(process.cwd(), 'package.json'), __filename]) {
    try {
      return createRequire(base)(name);
    } catch {
      // next place
    }
  }
  throw new Error(`Reading this database needs the "${name}" package: npm install ${name} (in the Strapi app)`);
};

const kindOf = (url: URL): SourceKind => {
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme === 'mysql' || scheme === 'mariadb' || scheme === 'mysql2') return 'mysql';
  if (scheme === 'postgres' || scheme === 'postgresql' || scheme === 'pg') return 'postgres';
  throw new Error(`Unsupported source "${scheme}:": use mysql://, mariadb:// or postgres://`);
};

/** `?` placeholders as PostgreSQL's `$1, $2, ...` (the importer's SQL has no `?` inside literals). */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${(n += 1)}`);
};

/** A source over a driver's query function; `schema` is the SQL naming the connection's schema. */
const sourceOf = (kind: SourceKind, key: string, query: Source['query'], schema: string, close: () => Promise<void>): Source => ({
  kind,
  key,
  query,
  async columns(table) {
    const rows = await query<{ name: string; type: string }>(
      `select column_name as name, data_type as type from information_schema.columns where table_schema = ${schema} and table_name = ?`,
      [table]
    );
    return new Map(rows.map((r) => [String(r.name).toLowerCase(), String(r.type).toLowerCase()]));
  },
  close,
});

export const openSource = async (sourceUrl: string): Promise<Source> => {
  const url = new URL(sourceUrl);
  const kind = kindOf(url);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error('The source URL names no database (…/drupal)');
  const key = `${kind}://${url.hostname}:${url.port || (kind === 'mysql' ? 3306 : 5432)}/${database}`.slice(0, 190);

  if (kind === 'mysql') {
    const mysql = loadDriver('mysql2/promise');
    const pool = mysql.createPool({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database,
      connectionLimit: 2,
      // Drupal 7 creates utf8 tables; utf8mb4 reads them and utf8mb4 ones alike.
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: false,
    });
    const query = async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params))[0] as T[];
    return sourceOf(kind, key, query, 'database()', () => pool.end());
  }

  const { Pool } = loadDriver('pg');
  const pool = new Pool({
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username) || undefined,
    password: decodeURIComponent(url.password) || undefined,
    database,
    max: 2,
  });
  const query = async <T>(sql: string, params: unknown[] = []) => (await pool.query(numbered(sql), params)).rows as T[];
  return sourceOf(kind, key, query, 'current_schema()', () => pool.end());
};
