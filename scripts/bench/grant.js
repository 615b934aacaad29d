#!/usr/bin/env node
'use strict';
/**
 * Grants the Authenticated role what the benchmark calls: every content-API action of the plugin
 * (as playground/src/seed.ts does), the trivial `bench.ping` route, and `find` on the baseline
 * thread/message/membership types and on users (for populate); turns the per-user send rate limit
 * off. Boots Strapi in-process once.
 */
const { withStrapi } = require('../generate/strapi');

withStrapi(async (strapi) => {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  const routes = strapi.plugin('private-messages').routes['content-api'].routes;
  const actions = [
    ...routes.map((r) => `plugin::private-messages.${r.handler}`),
    'api::bench.bench.ping',
    ...['thread', 'message', 'membership'].flatMap((n) => [`api::${n}.${n}.find`, `api::${n}.${n}.findOne`]),
    'plugin::users-permissions.user.find',
    'plugin::users-permissions.user.findOne',
  ];
  const existing = await strapi.db
    .query('plugin::users-permissions.permission')
    .findMany({ where: { role: role.id, action: { $in: actions } }, select: ['action'] });
  const have = new Set(existing.map((p) => p.action));
  for (const action of actions.filter((a) => !have.has(a))) {
    await strapi.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
  }
  console.log(`Granted ${actions.length - have.size} action(s) to the Authenticated role`);
  // The benchmark sends hundreds of replies as one user: lift the per-user send rate limit.
  const settings = strapi.plugin('private-messages').service('settings');
  if (typeof settings.update === 'function') {
    try {
      await settings.update({ rateLimit: { max: 0, windowSeconds: 60 } });
      console.log('Per-user send rate limit turned off for the benchmark');
    } catch (e) {
      console.warn(`Could not turn the rate limit off: ${e.message}`);
    }
  }
}, { compile: process.argv.includes('--compile') }).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
