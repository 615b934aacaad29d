import knex from 'knex';

/** The database the suite runs on: DATABASE_CLIENT=postgres|mysql, SQLite otherwise. */
export const databaseClient = (): 'sqlite' | 'postgres' | 'mysql' => {
  const client = process.env.DATABASE_CLIENT;
  return client === 'postgres' || client === 'mysql' ? client : 'sqlite';
};
export const isPostgres = () => databaseClient() === 'postgres';
export const isMysql = () => databaseClient() === 'mysql';

/**
 * A connection to a database server outside any test database, for creating and dropping them:
 * PostgreSQL's maintenance database (user postgres) or MySQL/MariaDB's server (user root).
 */
const serverAdmin = (client: 'pg' | 'mysql2') => {
  const mysql = client === 'mysql2';
  return knex({
    client,
    connection: {
      host: process.env.DATABASE_HOST ?? '127.0.0.1',
      port: Number(process.env.DATABASE_PORT ?? (mysql ? 3306 : 5432)),
      user: process.env.DATABASE_USERNAME ?? (mysql ? 'root' : 'postgres'),
      password: process.env.DATABASE_PASSWORD ?? '',
      ...(mysql ? { charset: 'utf8mb4' } : { database: 'postgres' }),
    },
    pool: { min: 0, max: 1 },
  });
};
export const pgAdmin = () => serverAdmin('pg');
export const mysqlAdmin = () => serverAdmin('mysql2');

/** Creates a server database named `name` (PostgreSQL or MySQL/MariaDB); returns its remover. */
export const createServerDatabase = async (name: string) => {
  const admin = isMysql() ? mysqlAdmin : pgAdmin;
  const create = isMysql()
    ? `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`
    : `CREATE DATABASE ${name}`;
  const drop = isMysql() ? `DROP DATABASE IF EXISTS \`${name}\`` : `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`;
  const a = admin();
  try {
    await a.raw(create);
  } finally {
    await a.destroy();
  }
  return async () => {
    const b = admin();
    try {
      await b.raw(drop);
    } finally {
      await b.destroy();
    }
  };
};
