import fs from 'node:fs';
import path from 'node:path';
import { createStrapi, type Core } from '@strapi/strapi';
import { PLAYGROUND, PLAYGROUND_DIST, TMP } from './paths';
import { createServerDatabase, databaseClient, isMysql } from './databases';
import { copyTemplateInto } from './mysql-template';

export { isPostgres, isMysql, pgAdmin, mysqlAdmin, databaseClient } from './databases';

/**
 * A database of its own for one test file (or one browser-test run): a new PostgreSQL or
 * MySQL/MariaDB database, or a new SQLite file `<label>-<pid>.db` (the pid keeps concurrent jest runs
 * apart). Returns its remover.
 */
export const prepareDatabase = async (label = `worker-${process.env.JEST_WORKER_ID ?? '0'}`) => {
  fs.mkdirSync(TMP, { recursive: true });
  if (databaseClient() !== 'sqlite') {
    // MySQL limits names to 64 characters.
    const name = `pm_${label.replace(/\W/g, '_').slice(0, 24)}_${process.pid}_${Date.now()}`;
    const drop = await createServerDatabase(name);
    process.env.DATABASE_NAME = name;
    // MySQL/MariaDB: a copy of an already-migrated database (mysql-template.ts); MYSQL_TEST_TEMPLATE=false
    // lets every boot migrate its own, as a first boot in an app does.
    if (isMysql() && process.env.MYSQL_TEST_TEMPLATE !== 'false') {
      try {
        await copyTemplateInto(name);
      } catch (error) {
        await drop();
        throw error;
      }
    }
    return drop;
  }
  const file = path.join(TMP, `${label}-${process.pid}.db`);
  const remove = () => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
  };
  remove();
  process.env.DATABASE_FILENAME = file;
  return async () => remove();
};

export type TestStrapi = Core.Strapi & { dropDatabase: () => Promise<void> };

/**
 * Boots the playground app (users-permissions, email, and this plugin from dist/) in-process
 * with routes mounted but no port open; supertest talks to `strapi.server.httpServer`.
 */
export const bootStrapi = async (env: Record<string, string> = {}): Promise<TestStrapi> => {
  process.env.LOG_LEVEL ??= 'error';
  process.env.PLAYGROUND_SEED = 'false';
  process.env.CRON_ENABLED ??= 'false';
  Object.assign(process.env, env);
  const dropDatabase = await prepareDatabase();
  let app: Core.Strapi | undefined;
  try {
    app = createStrapi({ appDir: PLAYGROUND, distDir: PLAYGROUND_DIST, autoReload: false, serveAdminPanel: false });
    await app.load();
    await app.server.mount();
    return Object.assign(app, { dropDatabase });
  } catch (error) {
    // Whatever was built must go, or jest hangs on open handles and the database is left behind.
    await app?.destroy().catch(() => {});
    await dropDatabase();
    throw error;
  }
};

export const stopStrapi = async (app: TestStrapi | undefined) => {
  if (!app) return;
  await app.destroy();
  await app.dropDatabase();
};

/**
 * Boots the playground on the database `app` used (after `app` was destroyed) with `env` changed:
 * a site changing its config/plugins and restarting. Rejects as Strapi's boot does.
 */
export const bootAgain = async (app: TestStrapi, env: Record<string, string>): Promise<TestStrapi> => {
  Object.assign(process.env, env);
  let next: Core.Strapi | undefined;
  try {
    next = createStrapi({ appDir: PLAYGROUND, distDir: PLAYGROUND_DIST, autoReload: false, serveAdminPanel: false });
    await next.load();
    await next.server.mount();
    return Object.assign(next, { dropDatabase: app.dropDatabase });
  } catch (error) {
    await next?.destroy().catch(() => {});
    throw error;
  }
};

/** Stops `app` and boots it again on the same database with `env` changed (bootAgain). */
export const rebootStrapi = async (app: TestStrapi, env: Record<string, string>) => {
  await app.destroy();
  return bootAgain(app, env);
};
