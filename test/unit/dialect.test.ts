/**
 * server/src/repositories/dialect/ holds every difference between SQLite, PostgreSQL and
 * MySQL/MariaDB: the rest of the plugin asks it a named question and never learns which database
 * it runs on. The capabilities are checked on knex handles of each client (none connects), and the
 * sources outside the folder for anything that reads knex's client or compares a database's name.
 */
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import {
  asJson,
  canSkipLocked,
  dialectOf,
  forUpdateSkipLocked,
  insertSelectIgnoringSql,
  isSharedByProcesses,
  supportsListenNotify,
  supportsTrigramIndex,
} from '../../server/src/repositories/dialect';

const SRC = path.resolve(__dirname, '../../server/src');
const DIALECT_DIR = path.join(SRC, 'repositories/dialect');

describe('what each database offers', () => {
  const handles: Knex[] = [];
  const handle = (client: string) => {
    const knex = knexFactory({ client, useNullAsDefault: true });
    handles.push(knex);
    return knex;
  };
  afterAll(() => Promise.all(handles.map((k) => k.destroy())));

  it('answers each question by name, for SQLite, PostgreSQL and MySQL/MariaDB', () => {
    const answers = (db: Knex) => ({
      dialect: dialectOf(db),
      listenNotify: supportsListenNotify(db),
      sharedByProcesses: isSharedByProcesses(db),
      skipLocked: canSkipLocked(db),
      trigramIndex: supportsTrigramIndex(db),
      json: asJson(db, '?'),
    });
    expect(answers(handle('better-sqlite3'))).toEqual({
      dialect: 'sqlite',
      listenNotify: false,
      sharedByProcesses: false,
      skipLocked: false,
      trigramIndex: false,
      json: '?',
    });
    expect(answers(handle('pg'))).toEqual({
      dialect: 'postgres',
      listenNotify: true,
      sharedByProcesses: true,
      skipLocked: true,
      trigramIndex: true,
      json: '?::jsonb',
    });
    expect(answers(handle('mysql2'))).toEqual({
      dialect: 'mysql',
      listenNotify: false,
      sharedByProcesses: true,
      skipLocked: true,
      trigramIndex: false,
      json: '?',
    });
  });

  it('writes each database its own words', () => {
    const claim = (db: Knex) => forUpdateSkipLocked(db, db('t').select('id')).toSQL().sql;
    expect(claim(handle('better-sqlite3'))).toBe('select `id` from `t`');
    expect(claim(handle('pg'))).toBe('select "id" from "t" for update skip locked');
    expect(claim(handle('mysql2'))).toBe('select `id` from `t` for update skip locked');

    const insert = (db: Knex) => insertSelectIgnoringSql(db, 't', '(a, b)', 'select 1, 2', ['a', 'b']);
    expect(insert(handle('better-sqlite3'))).toBe('insert or ignore into t (a, b) select 1, 2');
    expect(insert(handle('pg'))).toBe('insert into t (a, b) select 1, 2 on conflict (a, b) do nothing');
    expect(insert(handle('mysql2'))).toBe('insert ignore into t (a, b) select 1, 2');
  });
});

/* Ways to learn which database a knex handle talks to. */
const READS_CLIENT = [
  /\bdialectOf\(/,
  /\bis(?:Postgres|Mysql|Sqlite|BetterSqlite3)\(/,
  /\.client\.(?:config|dialect|driverName)\b/,
  /\bdriverName\b/,
  /\bconfig\.client\b/,
  /\bdb\.dialect\b/,
];
/* A string compared with a database client's name. */
const NAME = `['"\`](?:pg|postgres|postgresql|mysql|mysql2|mariadb|sqlite|sqlite3|better-sqlite3)['"\`]`;
const COMPARES_NAME = [new RegExp(`[!=]==?\\s*${NAME}`), new RegExp(`${NAME}\\s*[!=]==?`), new RegExp(`startsWith\\(${NAME}`)];

/**
 * The files outside the folder that may: search-dialect.ts keeps the message search index's three
 * implementations (FTS5, tsvector, FULLTEXT) side by side, on dialectOf; import/source.ts reads the
 * scheme of the Drupal database an import reads from, not the site's.
 */
const ALLOWED: Record<string, string> = {
  'repositories/search-dialect.ts': 'the message search index, one implementation per database',
  'repositories/search-match.ts': "the message search's match conditions, one per database's index (with search-dialect.ts)",
  'repositories/search-frequency.ts': 'which words each database\'s index looks up (with search-dialect.ts)',
  'import/source.ts': "the import source's URL scheme",
};

const sourceFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return file === DIALECT_DIR ? [] : sourceFiles(file);
    return e.name.endsWith('.ts') ? [file] : [];
  });

/** The file's code without its comments (block comments, and lines that are a `//` comment). */
const codeOf = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');

const asksWhichDatabase = (code: string) => [...READS_CLIENT, ...COMPARES_NAME].some((pattern) => pattern.test(code));

describe('repositories/dialect/', () => {
  it('is the only place that asks which database it is', () => {
    const offenders = sourceFiles(SRC)
      .map((file) => path.relative(SRC, file).split(path.sep).join('/'))
      .filter((relative) => !(relative in ALLOWED) && asksWhichDatabase(codeOf(path.join(SRC, relative))));
    expect(offenders).toEqual([]);
  });

  it('finds what it looks for', () => {
    // The allowed files do ask, and so would a comparison of knex's client name anywhere.
    for (const relative of Object.keys(ALLOWED)) expect(asksWhichDatabase(codeOf(path.join(SRC, relative)))).toBe(true);
    expect(asksWhichDatabase(`if (knex.client.config.client === 'pg') return;`)).toBe(true);
    expect(asksWhichDatabase(`const slow = isSqlite(db);`)).toBe(true);
    expect(asksWhichDatabase(`return dialectOf(db) === 'mysql' ? a : b;`)).toBe(true);
    expect(asksWhichDatabase(`if (supportsListenNotify(db)) start();`)).toBe(false);
  });
});
