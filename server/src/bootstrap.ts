import type { Core } from '@strapi/strapi';
import { getService } from './utils/get-service';
import { ensureSubjectSearchIndex } from './repositories/search-indexes';
import { ensureMessageSearchIndex } from './repositories/message-search';
import { backfillDeliveredMarks } from './repositories/memberships';
import { backfillBlockPeriods } from './repositories/blocks';
import { backfillArchived, backfillSent } from './repositories/membership-folders';
import { ensureExactTagKeys } from './repositories/tags';
import { backfillContacts } from './repositories/contacts';
import { outboxLeaseMs } from './services/outbox-lease';
import { ADMIN_ACTION_DEFINITIONS } from './permissions';
import retryAfter from './middlewares/retry-after';
import { answerAuthenticationFailures } from './utils/authentication-failures';

/** The plugin's RBAC actions (permissions.ts): settings.read, settings.update, reports.manage. */
const registerAdminActions = async (strapi: Core.Strapi) => {
  await strapi
    .service('admin::permission')
    .actionProvider.registerMany(ADMIN_ACTION_DEFINITIONS.map((a) => ({ ...a, section: 'plugins', pluginName: 'private-messages' })));
};

/**
 * Fills a column added after data existed, once per database: the core store remembers it was
 * done, so later boots do not scan the table again (594k memberships: 130-200 ms on SQLite).
 */
const backfillOnce = async (strapi: Core.Strapi, name: string, run: () => Promise<unknown>) => {
  const store = strapi.store({ type: 'plugin', name: 'private-messages' });
  const key = `backfill:${name}`;
  if (await store.get({ key })) return;
  await run();
  await store.set({ key, value: true });
};

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  // Before anything is served: avatars must never publish a private user attribute.
  await getService('settings', strapi).checkAvatarField();
  await registerAdminActions(strapi);
  // Deleting a users-permissions user, by any path, erases their messaging data first.
  getService('privacy', strapi).subscribeToUserDeletion();
  await backfillOnce(strapi, 'delivered-marks', () => backfillDeliveredMarks(strapi.db.connection));
  await backfillOnce(strapi, 'block-periods', () => backfillBlockPeriods(strapi.db.connection));
  // Folders: threads imported as archived before the archive existed, and every Sent list.
  await backfillOnce(strapi, 'archived-folder', () => backfillArchived(strapi.db.connection));
  await backfillOnce(strapi, 'sent-folder', () => backfillSent(strapi.db.connection));
  // Contacts: the history of a site from before message requests counts, as an import's does.
  await backfillOnce(strapi, 'contacts', () => backfillContacts(strapi.db.connection));
  // The custom field declarations, checked (config validator) and compiled before anything is served.
  getService('fields', strapi).declarations();
  // The documents threads can be about: each declared content type and its fields must exist.
  getService('contexts', strapi).check();
  // Attachments' storage, when enabled: refused here if it could make a file public (config/attachments).
  await getService('attachments', strapi).start();
  // MySQL/MariaDB: tag names unique ignoring case only, whatever the database's collation.
  await ensureExactTagKeys(strapi.db.connection);

  // PostgreSQL: a trigram index serves the inbox's subject search (`q`); it works without one.
  const subjectIndex = await ensureSubjectSearchIndex(strapi.db.connection);
  if (typeof subjectIndex === 'object') {
    strapi.log.warn(`[private-messages] No trigram index for the inbox subject search (${subjectIndex.error}); the q filter works without it, scanning each user's inbox.`);
  }

  // The message search index (repositories/search-dialect): created, and filled from the messages
  // already there, the first time; Strapi's schema sync leaves it alone afterwards. The store
  // records a finished fill, so a boot stopped halfway through one resumes it at the next boot.
  const store = strapi.store({ type: 'plugin', name: 'private-messages' });
  const filled = (await store.get({ key: 'messageSearchIndexFilled' })) === true;
  const messageIndex = await ensureMessageSearchIndex(strapi.db.connection, { resume: !filled });
  if (!filled) await store.set({ key: 'messageSearchIndexFilled', value: true });
  if (messageIndex.created || messageIndex.indexed > 0) {
    strapi.log.info(`[private-messages] Message search index ${messageIndex.created ? 'created' : 'completed'} (${messageIndex.indexed} messages indexed).`);
  }

  // users-permissions authenticates the caller before a route's own middlewares run: a database
  // that gives up there (a killed connection) is answered as a 503 too, not a 500. Registered
  // here, it runs inside Strapi's error middleware and before the router.
  const contentApi = `${strapi.config.get('api.rest.prefix', '/api')}/private-messages`;
  const answerRetriable = retryAfter();
  strapi.server.use((ctx: any, next: () => Promise<unknown>) => (ctx.path.startsWith(contentApi) ? answerRetriable(ctx, next) : next()));
  // users-permissions answers a database failure while it authenticates as "not authenticated":
  // a 401 that logs the user out. Here it is the database's 503 instead.
  answerAuthenticationFailures(strapi, contentApi);

  // Deleted messages leave the database after the configured number of days (hourly check;
  // runs only where the app enables cron: `cron: { enabled: true }` in config/server).
  strapi.cron.add({
    'private-messages.purge': {
      task: async () => {
        await getService('purge', strapi).run();
      },
      options: { rule: '17 * * * *' },
    },
    // Notification emails: each send also kicks a drain; this catches retries and other instances' work.
    'private-messages.outbox': {
      task: async () => getService('outbox', strapi).kick(),
      options: { rule: '*/5 * * * * *' },
    },
    // Digest emails of the last whole day and week (services/digest.ts): hourly, so a run missed
    // (a restart at midnight) is made up within the hour; each user's digest is enqueued once per period.
    'private-messages.digest': {
      task: async () => {
        await getService('digest', strapi).run();
      },
      options: { rule: '7 * * * *' },
    },
  });

  // What a previous run left goes out without waiting for the next send, even where cron is off:
  // once the server listens (not in scripts or consoles that boot Strapi without serving), work
  // committed but never drained; once a crash's claims have expired, the work they held.
  // The real-time stream: its bus to the other instances, its timers (services/stream.ts).
  await getService('stream', strapi).start();

  const outbox = getService('outbox', strapi);
  strapi.server.httpServer.once('listening', () => {
    outbox.kick();
    setTimeout(() => outbox.kick(), outboxLeaseMs() + 1000).unref();
  });
};

export default bootstrap;
