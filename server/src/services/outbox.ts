import type { Core } from '@strapi/strapi';
import { inTransaction } from '../utils/transaction';
import { EVENTS } from '../events';
import { messageDocumentIds } from '../repositories/stream';
import * as outboxRepo from '../repositories/outbox';
import * as claimsRepo from '../repositories/outbox-claims';
import * as messagesRepo from '../repositories/messages';
import * as membershipsRepo from '../repositories/memberships';
import * as reportsRepo from '../repositories/reports';
import * as threadsRepo from '../repositories/threads';
import { createAdminsRepository } from '../repositories/admins';
import { createUsersRepository } from '../repositories/users';
import { getService } from '../utils/get-service';
import { ADMIN_ACTIONS } from '../permissions';
import { countAttachments } from '../repositories/attachments';
import { messageEmail, messageIdDomain, outboxMessageId, reportEmail, threadUrl } from './notification-email';
import { resolveAdminUrl } from '../config/resolve';
import { moderationQueueUrl } from '../config/urls';
import { MAX_ATTEMPTS, withClaimedBatch, type Claim } from './outbox-lease';
import { createLane } from './outbox-lanes';

const BATCH = 25;
/**
 * Emails of a batch in flight at once. Each send waits on the mail server's round trips
 * (~150 ms per email against the test server, one connection each), so one at a time took
 * 16 s for a 111-member thread; a few at once stay well inside what mail providers accept.
 */
const EMAIL_CONCURRENCY = 4;
/** 10 s, 20 s, 40 s, ... capped at one hour. */
const backoffMs = (attempts: number) => Math.min(10_000 * 2 ** attempts, 3_600_000);

/** Runs `work` over `items`, at most `limit` at a time. */
const inParallel = async <T>(items: T[], limit: number, work: (item: T) => Promise<void>) => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

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
    const delivered = await membershipsRepo.deliverMessageInChunks(knex(), { threadId: job.threadId, messageId: job.messageId, now: new Date() });
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
    for (const job of jobs) {
      try {
        await deliverReply(job);
        const now = new Date();
        await inTransaction(strapi, async (trx) => {
          if (job.event === 'report') {
            const emails = await moderatorEmails(settings.moderatorEmails);
            await outboxRepo.insertEmails(trx, job, emails.map((email) => ({ email })), now);
          } else {
            const [message] = await messagesRepo.findMessagesByIds(trx, [job.messageId!]);
            if (message?.authorId && !message.deletedAt) {
              await outboxRepo.expandMessageJob(trx, job, {
                authorId: message.authorId,
                isNewThread: job.event === 'new_thread',
                messagingEnabledByDefault: settings.messagingEnabledByDefault,
                defaultLevel: settings.emailNotificationsDefault,
                now,
              });
            }
          }
          // Fenced: the rows inserted above are rolled back unless this worker still holds the job.
          if (!(await claimsRepo.completeJob(trx, job.id, claim.token, now))) throw new Error('job taken by another worker');
        });
      } catch (error) {
        strapi.log.warn(`[private-messages] outbox job ${job.id} not expanded: ${(error as Error).message}`);
      }
    }
  };

  /** Sends claimed emails; the data they need is loaded for the whole batch at once. */
  const sendEmails = (dueAt: Date) => withClaimedBatch(knex, 'email', dueAt, BATCH, sendClaimedEmails, logError);

  const sendClaimedEmails = async (emails: outboxRepo.OutboxRow[], { token, leaseMs }: Claim) => {
    const settings = await getService('settings').get();
    const messages = new Map((await messagesRepo.findMessagesByIds(knex(), emails.map((e) => e.messageId).filter((id): id is number => id !== null))).map((m) => [m.id, m]));
    const threads = await threadsRepo.findThreadSubjects(knex(), emails.map((e) => e.threadId ?? 0));
    const fileCounts = await countAttachments(knex(), [...messages.keys()]);
    const reports = new Map((await reportsRepo.findReportsByIds(knex(), emails.map((e) => e.reportId ?? 0))).map((r) => [r.id, r]));
    const reportMessages = new Map(
      (await messagesRepo.findMessagesByIds(knex(), [...reports.values()].map((r) => r.messageId ?? 0))).map((m) => [m.id, m])
    );
    const people = await users([
      ...emails.map((e) => e.userId ?? 0),
      ...[...messages.values()].map((m) => m.authorId ?? 0),
      ...[...reports.values()].map((r) => r.reporterId ?? 0),
    ]);
    const adminUrl = moderationQueueUrl(resolveAdminUrl(strapi.config.get('plugin::private-messages')), strapi.config.get('admin.absoluteUrl'));
    const domain = messageIdDomain(strapi.config.get('server.url'), strapi.config.get('plugin::email.settings.defaultFrom'));

    await inParallel(emails, EMAIL_CONCURRENCY, async (entry) => {
      try {
        let to: string | null | undefined;
        let content: { subject: string; text: string; html: string } | null = null;
        if (entry.event === 'report') {
          const report = reports.get(entry.reportId ?? 0);
          to = entry.email;
          const reported = report ? reportMessages.get(report.messageId ?? 0) : undefined;
          content = reportEmail({
            reporterName: people.get(report?.reporterId ?? 0)?.username ?? 'A user',
            reason: report?.reason ?? '',
            excerpt: reported?.excerpt ?? '',
            adminUrl,
          });
        } else {
          const message = messages.get(entry.messageId ?? 0);
          const thread = threads.get(entry.threadId ?? 0);
          to = people.get(entry.userId ?? 0)?.email;
          if (message && thread && !message.deletedAt) {
            content = messageEmail({
              senderName: people.get(message.authorId ?? 0)?.username ?? 'Someone',
              subject: thread.subject,
              excerpt: message.excerpt,
              url: threadUrl(settings.threadUrlTemplate, thread.documentId),
              isNewThread: entry.event === 'new_thread',
              attachments: fileCounts.get(message.id) ?? 0,
            });
          }
        }
        // Nothing left to say (message deleted, user without an address): done, not retried.
        if (!to || !content) {
          if (!(await claimsRepo.markSent(knex(), entry.id, token, new Date()))) claimLost('email', entry.id, 'marking it done');
          return;
        }
        // `sending` right before the hand-over: should this instance die before markSent, the row
        // says the mail may have gone, and its resend carries the same Message-ID.
        const messageKey = entry.messageKey ?? outboxRepo.newMessageKey();
        if (!(await claimsRepo.markSending(knex(), entry.id, token, messageKey, new Date(), leaseMs))) return claimLost('email', entry.id, 'sending it');
        const messageId = outboxMessageId(messageKey, domain);
        // Both spellings: nodemailer takes `messageId`; other providers pass custom `headers` on.
        await strapi.plugin('email').service('email').send({ to, ...content, messageId, headers: { 'Message-ID': messageId } });
        if (!(await claimsRepo.markSent(knex(), entry.id, token, new Date()))) claimLost('email', entry.id, 'marking it sent');
      } catch (error) {
        const now = new Date();
        const retryAt = new Date(now.getTime() + backoffMs(entry.attempts));
        if (!(await claimsRepo.markFailed(knex(), entry, token, String((error as Error)?.message ?? error), retryAt, MAX_ATTEMPTS, now))) {
          claimLost('email', entry.id, 'recording its failure');
        }
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
