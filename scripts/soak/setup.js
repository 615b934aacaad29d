'use strict';
/**
 * The soak's starting point: a fresh database (`pm_soak`, or playground/.tmp/soak.db), the
 * playground compiled and booted once in-process (schema sync), then users with every plugin action
 * and a JWT each, and the per-user send rate off (the load sends faster than a person).
 */
const fs = require('node:fs');
const path = require('node:path');
const { PLAYGROUND, withStrapi } = require('../generate/strapi');
const { preparePg, prepareMysql } = require('../generate/index');

const SOAK_DATABASE = 'pm_soak';
const SOAK_SQLITE_FILE = '.tmp/soak.db';

/** The environment every process of the soak shares: the database, the mail server, short leases. */
const soakEnv = (db, smtpPort) => ({
  DATABASE_CLIENT: db,
  DATABASE_NAME: SOAK_DATABASE,
  DATABASE_FILENAME: SOAK_SQLITE_FILE,
  SMTP_PORT: String(smtpPort),
  // A killed instance's claims run out within seconds, not a minute.
  PRIVATE_MESSAGES_OUTBOX_LEASE_MS: '5000',
  PLAYGROUND_SEED: 'false',
  LOG_LEVEL: 'error',
});

const freshDatabase = async (db) => {
  if (db === 'postgres') return preparePg(true);
  if (db === 'mysql') return prepareMysql(true);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(PLAYGROUND, SOAK_SQLITE_FILE + suffix), { force: true });
};

/** Creates `count` users on the Authenticated role; returns `{id, jwt}` for each. */
const setUp = async (db, count) => {
  await freshDatabase(db);
  return withStrapi(async (strapi) => {
    const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
    const routes = strapi.plugin('private-messages').routes['content-api'].routes;
    for (const action of new Set(routes.map((r) => `plugin::private-messages.${r.handler}`))) {
      await strapi.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
    }
    await strapi.plugin('private-messages').service('settings').update({ rateLimit: { max: 0, windowSeconds: 60 } });
    const jwt = strapi.plugin('users-permissions').service('jwt');
    const users = [];
    for (let i = 0; i < count; i += 1) {
      const user = await strapi.db.query('plugin::users-permissions.user').create({
        data: { username: `soak${i}`, email: `soak${i}@example.test`, provider: 'local', confirmed: true, blocked: false, role: role.id },
      });
      users.push({ id: user.id, jwt: jwt.issue({ id: user.id }) });
    }
    return users;
  });
};

module.exports = { SOAK_DATABASE, soakEnv, setUp };
