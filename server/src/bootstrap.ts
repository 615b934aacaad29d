import type { Core } from '@strapi/strapi';
import { getService } from './utils/get-service';
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

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  // Before anything is served: avatars must never publish a private user attribute.
  await getService('settings', strapi).checkAvatarField();
  await registerAdminActions(strapi);
  // Deleting a users-permissions user, by any path, erases their messaging data first.
  getService('privacy', strapi).subscribeToUserDeletion();
  // Columns added after data existed, filled once per database (services/database-upkeep.ts).
  const upkeep = getService('database-upkeep', strapi);
  await upkeep.backfill();
  // The custom field declarations, checked (config validator) and compiled before anything is served.
  getService('fields', strapi).declarations();
  // The documents threads can be about: each declared content type and its fields must exist.
  getService('contexts', strapi).check();
  // Attachments' storage, when enabled: refused here if it could make a file public (config/attachments).
  await getService('attachments', strapi).start();
  // Tag keys' collation (MySQL/MariaDB), the subject search's trigram index (PostgreSQL), the
  // message search index (every database): database-upkeep.ensureIndexes.
  const { subjectIndex, messageIndex } = await upkeep.ensureIndexes();
  if (typeof subjectIndex === 'object') {
    strapi.log.warn(`[private-messages] No trigram index for the inbox subject search (${subjectIndex.error}); the q filter works without it, scanning each user's inbox.`);
  }
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
