import type { Core } from '@strapi/strapi';
import { inTransaction } from '../utils/transaction';
import { inParallel } from '../utils/in-parallel';
import { EVENTS } from '../events';
import { messageDocumentIds } from '../repositories/stream';
import * as outboxRepo from '../repositories/outbox';
import * as claimsRepo from '../repositories/outbox-claims';
import * as pushRepo from '../repositories/push';
import * as messagesRepo from '../repositories/messages';
import * as deliveryRepo from '../repositories/membership-delivery';
import * as reportsRepo from '../repositories/reports';
import * as threadsRepo from '../repositories/threads';
import { createAdminsRepository } from '../repositories/admins';
import { createUsersRepository } from '../repositories/users';
import { getService } from '../utils/get-service';
import { ADMIN_ACTIONS } from '../permissions';
import { messageEmail, messageIdDomain, outboxMessageId, reportEmail, threadUrl } from './notification-email';
import { resolveAdminUrl } from '../config/resolve';
import { moderationQueueUrl } from '../config/urls';
import { MAX_ATTEMPTS, backoffMs, withClaimedBatch, type Claim } from './outbox-lease';
import { createLane } from './outbox-lanes';
import { emailComposer, type EmailContent } from './outbox-email-content';

const BATCH = 25;
/**
 * Emails of a batch in flight at once. Each send waits on the mail server's round trips, a
 * dozen or so, and each round trip waits for a turn of the event loop: ~150 ms per email on a
 * quiet instance, but 10-30 s on an SQLite instance under saturating load (its driver runs every
 * query on the event loop, whose turns then take 0.5-1 s). Throughput is what is in flight over
 * that time: one at a time took 16 s for a 111-member thread; sixteen stay within what mail
 * providers accept (a pooled transport caps the connections with its own maxConnections).
 */
const EMAIL_CONCURRENCY = 16;
/**
 * Jobs of a batch expanded at once, each in its own transaction. One at a time, the lane's
 * throughput was one over a job's round trips to the database, which a loaded machine stretches
 * (50-65 s from a message to its email rows in ten-minute soaks at load 25-30, the email rows
 * then leaving within ~2 s). Deliveries are monotonic (delivered_message_id only grows), so two
 * replies to one thread expanded side by side are as safe as on two instances.
 */
const JOB_CONCURRENCY = 4;

/**
 * Delivers notification emails from the outbox through Strapi's email plugin, never inside a
 * request: a cron job drains it every few seconds, and each send kicks a drain right after its
 * transaction commits. Failures are retried with backoff and kept with their last error. Replies
 * to big threads reach their members through the same jobs (deliverReply).
 */
const outboxService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;

  const usersRepo = createUsersRepository(strapi);
  const adminsRepo = createAdminsRepository(strapi);
  const users = (ids: number[]) => usersRepo.findContacts(ids);

  /** Admin users who hold the moderation action (super admins included), and the configured addresses. */
  const moderatorEmails = async (extra: string[]) => {
    const admins = await adminsRepo.emailsOfActiveHolders(ADMIN_ACTIONS.reportsManage);
    return [...new Set([...admins, ...extra].filter(Boolean))];
  };

  /**
   * A reply to a thread of more than DEFERRED_DELIVERY_ABOVE members reaches its members here,
   * before its emails, in chunks (for any other reply nobody is left to deliver to). Until the job
   * is done it stays claimed, and is retried when its lease runs out: delivering again is harmless.
   */
  const deliverReply = async (job: outboxRepo.OutboxRow) => {
    if (job.event !== 'reply' || !job.threadId || !job.messageId) return;
    const delivered = await deliveryRepo.deliverMessageInChunks(knex(), { threadId: job.threadId, messageId: job.messageId, now: new Date() });
    if (delivered > 0) {
      const ids = await messageDocumentIds(knex(), job.messageId);
      if (ids) strapi.eventHub.emit(EVENTS.messageDelivered, ids);
    }
  };

  const logError = (error: Error) => strapi.log.error(`[private-messages] outbox: ${error.message}`);
  const claimLost = (kind: string, id: number, step: string): void => {
    strapi.log.warn(`[private-messages] outbox ${kind} ${id}: claim lost before ${step} (its lease ran out and another worker holds it now); left to that worker`);
  };

  /** Turns claimed jobs into one email row per recipient, each job exactly once. */
  const expandJobs = (dueAt: Date) => withClaimedBatch(knex, 'job', dueAt, BATCH, expandClaimedJobs, logError);

  const expandClaimedJobs = async (jobs: outboxRepo.OutboxRow[], claim: Claim) => {
    const settings = await getService('settings').get();
    await inParallel(jobs, JOB_CONCURRENCY, async (job) => {
      try {
        await deliverReply(job);
        const now = new Date();
        await inTransaction(strapi, async (trx) => {
          if (job.event === 'report') {
            const emails = await moderatorEmails(settings.moderatorEmails);
            await outboxRepo.insertEmails(trx, job, emails.map((email) => ({ email })), now);
          } else {
            // The thread's lock first: an erasure holding it commits before the members are read.
            if (job.threadId) await threadsRepo.lockThread(trx, job.threadId);
            const [message] = await messagesRepo.findMessagesByIds(trx, [job.messageId!]);
            if (message?.authorId && !message.deletedAt) {
              // Read once for both: who the message can reach, by membership id.
              const membershipIds = await outboxRepo.audienceMembershipIds(trx, job, message.authorId);
              await pushRepo.insertPushes(trx, job, {
                authorId: message.authorId,
                isNewThread: job.event === 'new_thread',
                messagingEnabledByDefault: settings.messagingEnabledByDefault,
                now,
                membershipIds,
              });
              await outboxRepo.expandMessageJob(trx, job, {
                authorId: message.authorId,
                isNewThread: job.event === 'new_thread',
                messagingEnabledByDefault: settings.messagingEnabledByDefault,
                defaultLevel: settings.emailNotificationsDefault,
                now,
                // Held this long in the outbox, so a read meanwhile drops it (markSending).
                dueAt: new Date(now.getTime() + settings.emailDelaySeconds * 1000),
                membershipIds,
              });
            }
          }
          // Fenced: the rows inserted above are rolled back unless this worker still holds the job.
          if (!(await claimsRepo.completeJob(trx, job.id, claim.token, now))) throw new Error('job taken by another worker');
        });
      } catch (error) {
        strapi.log.warn(`[private-messages] outbox job ${job.id} not expanded: ${(error as Error).message}`);
      }
    });
  };

  /**
   * Sends claimed emails, then claimed web pushes (services/push.ts); the data they need is loaded
   * for the whole batch at once.
   */
  const sendEmails = async (dueAt: Date) =>
    (await withClaimedBatch(knex, 'email', dueAt, BATCH, sendClaimedEmails, logError)) +
    (await withClaimedBatch(knex, 'push', dueAt, BATCH, (rows, claim) => getService('push').sendClaimed(rows, claim), logError));

  const sendClaimedEmails = async (emails: outboxRepo.OutboxRow[], { token, leaseMs }: Claim) => {
    const compose = await emailComposer(strapi, emails);
    const domain = messageIdDomain(strapi.config.get('server.url'), strapi.config.get('plugin::email.settings.defaultFrom'));
    const outgoing: Array<{ entry: outboxRepo.OutboxRow; to: string; content: EmailContent; messageKey: string }> = [];
    // Nothing left to say (message deleted, user without an address): done, not retried.
    const nothingToSay: number[] = [];
    const dropped: number[] = [];
    for (const entry of emails) {
      const { to, content, drop } = compose(entry);
      if (drop) dropped.push(entry.id);
      else if (to && content) outgoing.push({ entry, to, content, messageKey: entry.messageKey ?? outboxRepo.newMessageKey() });
      else nothingToSay.push(entry.id);
    }
    // A message's email is handed over only if its recipient has not seen the message meanwhile
    // (read, left, or blocks its author now: outbox-claims `seenAlready`), checked in the same UPDATE.
    const aboutMessage = (entry: outboxRepo.OutboxRow) => (entry.event === 'new_thread' || entry.event === 'reply') && entry.userId !== null;

    // The batch's writes are a few statements, not two per email: on SQLite every statement waits
    // its turn for the one connection behind the requests of the load, and per-email writes kept
    // emails waiting there. `sending` before the hand-over: should this instance die before they
    // are marked sent, the rows say the mails may have gone, and their resend carries the same
    // Message-ID (the batch's not yet handed over are sent then, for the first time).
    const sending = await inTransaction(strapi, async (trx) => {
      const now = new Date();
      const done = await claimsRepo.markSentMany(trx, nothingToSay, token, now);
      if (done < nothingToSay.length) claimLost('email', nothingToSay[0], 'marking it done');
      const held = await claimsRepo.markSendingMany(
        trx,
        outgoing.map((o) => ({ id: o.entry.id, messageKey: o.messageKey, unlessSeen: aboutMessage(o.entry) })),
        token,
        now,
        leaseMs
      );
      // Read (or left, or blocked) while the email waited: dropped, not sent.
      const seen = outgoing.filter((o) => aboutMessage(o.entry) && !held.has(o.entry.id)).map((o) => o.entry.id);
      const droppedNow = await claimsRepo.markDroppedMany(trx, [...dropped, ...seen], token, now);
      for (const id of dropped) if (!droppedNow.has(id)) claimLost('email', id, 'dropping it');
      return { held, droppedNow };
    });
    const sent: number[] = [];
    const failed: Array<{ entry: outboxRepo.OutboxRow; error: string }> = [];
    await inParallel(outgoing, EMAIL_CONCURRENCY, async ({ entry, to, content, messageKey }) => {
      if (sending.droppedNow.has(entry.id)) return;
      if (!sending.held.has(entry.id)) return claimLost('email', entry.id, 'sending it');
      const messageId = outboxMessageId(messageKey, domain);
      try {
        // Both spellings: nodemailer takes `messageId`; other providers pass custom `headers` on.
        await strapi.plugin('email').service('email').send({ to, ...content, messageId, headers: { 'Message-ID': messageId } });
        sent.push(entry.id);
      } catch (error) {
        failed.push({ entry, error: String((error as Error)?.message ?? error) });
      }
    });
    await inTransaction(strapi, async (trx) => {
      const now = new Date();
      if ((await claimsRepo.markSentMany(trx, sent, token, now)) < sent.length) claimLost('email', sent[0], 'marking it sent');
      // Failures are rare and usually the whole batch's (the mail server is down); their backoff is each row's.
      for (const { entry, error } of failed) {
        const retryAt = new Date(now.getTime() + backoffMs(entry.attempts));
        if (!(await claimsRepo.markFailed(trx, entry, token, error, retryAt, MAX_ATTEMPTS, now))) claimLost('email', entry.id, 'recording its failure');
      }
    });
  };

  /* The lanes: see outbox-lanes.ts. */
  let stopped = false;
  const isStopped = () => stopped;

  const inFlight = new Set<Promise<number>>();
  const track = (run: Promise<number>) => {
    inFlight.add(run);
    run.then(
      () => inFlight.delete(run),
      () => inFlight.delete(run)
    );
    return run;
  };

  const emailsLane = createLane(sendEmails, isStopped);
  /** After a jobs pass that made emails: the emails lane sends them now, not once the jobs lane is idle. */
  const handOver = (now: Date) => {
    if (stopped) return;
    track(emailsLane.run(now, true)).catch(logError);
  };
  const jobsLane = createLane(async (now) => {
    const expanded = await expandJobs(now);
    if (expanded > 0) handOver(now);
    return expanded;
  }, isStopped);

  const drainWith = (now: Date, background: boolean) =>
    track(
      (async () => {
        if (!background) {
          // An explicit drain: jobs first, then the emails they made (and any other due), so that
          // once it answers, everything due at `now` is done.
          const jobs = await jobsLane.run(now, false);
          return jobs + (await emailsLane.run(now, false));
        }
        // A kick or the cron: both lanes side by side, emails already due leave while the jobs
        // lane works (and each of its passes hands over the emails it made).
        const [jobs, emails] = await Promise.all([jobsLane.run(now, true), stopped ? 0 : emailsLane.run(now, true)]);
        return jobs + emails;
      })()
    );
  // Kicks scheduled and not yet started (idle() waits for them too).
  let kicksPending = 0;
  const inBackground = () => {
    kicksPending -= 1;
    if (stopped) return;
    drainWith(new Date(), true).catch((error: Error) => strapi.log.error(`[private-messages] outbox: ${error.message}`));
  };

  return {
    /** Delivers everything due at `now` (tests pass a later `now` to skip backoff): jobs first, then the emails they made. */
    drain: (now = new Date()) => drainWith(now, false),

    /** After a send, from cron, at boot: drain soon, outside the request (nothing once stopped). */
    kick() {
      if (stopped) return;
      kicksPending += 1;
      setImmediate(inBackground);
    },

    /**
     * Resolves once no drain runs and none is about to start (kicks included): what a caller
     * waits for before looking at what the outbox did, or did not do, with what it was given.
     */
    async idle() {
      for (;;) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (kicksPending === 0 && inFlight.size === 0) return;
        await Promise.allSettled([...inFlight]);
      }
    },

    /** On shutdown: no new background drains; waits for those running (one more pass each at most) and any explicit one. */
    async stop() {
      stopped = true;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },

    enqueue: outboxRepo.enqueueJob,
    stats: () => outboxRepo.countByStatus(knex()),
  };
};

export default outboxService;
