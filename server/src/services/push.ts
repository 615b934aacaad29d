import type { Core } from '@strapi/strapi';
import webPush from 'web-push';
import * as claimsRepo from '../repositories/outbox-claims';
import * as messagesRepo from '../repositories/messages';
import * as pushRepo from '../repositories/push';
import type { PushSubscription } from '../repositories/push';
import * as threadsRepo from '../repositories/threads';
import type { OutboxRow } from '../repositories/outbox';
import { createUsersRepository } from '../repositories/users';
import { inTransaction } from '../utils/transaction';
import { inParallel } from '../utils/in-parallel';
import { MAX_ATTEMPTS, backoffMs, type Claim } from './outbox-lease';

/** VAPID keys: the application server's identity towards the browsers' push services. */
export type VapidKeys = { publicKey: string; privateKey: string; subject: string };

const STORE_KEY = 'push-vapid';
/** Pushes of a batch in flight at once (each is one HTTPS request to a push service). */
const PUSH_CONCURRENCY = 8;
/** How long a push service keeps a push for an offline browser. */
const TTL_SECONDS = 86_400;

/**
 * Web push (RFC 8030, payloads encrypted per RFC 8291, VAPID per RFC 8292) through the `web-push`
 * package. Subscriptions belong to users; pushes leave through the outbox like emails (claims,
 * retries, fencing), one row per message and subscription, a batch's writes a few statements; a
 * 404 or 410 from the push service deletes the subscription.
 */
const pushService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const usersRepo = createUsersRepository(strapi);
  const store = () => strapi.store({ type: 'plugin', name: 'private-messages' });

  let keys: Promise<VapidKeys> | null = null;
  /**
   * `push.vapid` of config/plugins; without it, a pair generated once and kept in the plugin store
   * (every instance reads the same; never rotated silently: each subscription is bound to it).
   */
  const vapidKeys = () =>
    (keys ??= (async () => {
      const configured = strapi.config.get('plugin::private-messages.push.vapid') as VapidKeys | undefined;
      if (configured?.publicKey && configured.privateKey) return { ...configured, subject: configured.subject || 'mailto:postmaster@example.com' };
      const saved = (await store().get({ key: STORE_KEY })) as VapidKeys | null;
      if (saved) return saved;
      const generated = webPush.generateVAPIDKeys();
      await store().set({ key: STORE_KEY, value: { ...generated, subject: 'mailto:postmaster@example.com' } });
      // Two instances generating at once: both keep what the store holds last.
      return (await store().get({ key: STORE_KEY })) as VapidKeys;
    })().catch((error) => {
      keys = null;
      throw error;
    }));

  const usersRepoContacts = (ids: number[]) => usersRepo.findContacts(ids);

  /** The payload of a push: what happened and where, and with `preview`, who wrote and an excerpt. */
  const payloadOf = (row: OutboxRow, ctx: { threadDocumentId?: string; subject?: string; author?: string; excerpt?: string; preview: boolean }) =>
    JSON.stringify({
      type: row.event === 'new_thread' ? 'newThread' : 'reply',
      threadId: ctx.threadDocumentId ?? null,
      ...(ctx.preview ? { author: ctx.author ?? null, subject: ctx.subject ?? '', excerpt: ctx.excerpt ?? '' } : {}),
    });

  /** What the batch's pushes need, loaded at once. */
  const loadBatch = async (rows: OutboxRow[]) => {
    const messages = new Map((await messagesRepo.findMessagesByIds(knex(), rows.map((r) => r.messageId ?? 0))).map((m) => [m.id, m]));
    const [subs, threads, people, previews] = await Promise.all([
      pushRepo.findSubscriptions(knex(), rows.map((r) => r.subscriptionId ?? 0)),
      threadsRepo.findThreadSubjects(knex(), rows.map((r) => r.threadId ?? 0)),
      usersRepoContacts([...messages.values()].map((m) => m.authorId ?? 0)),
      pushRepo.usersWantingPreviews(knex(), rows.map((r) => r.userId ?? 0)),
    ]);
    return { messages, subs, threads, people, previews };
  };

  return {
    publicKey: async () => (await vapidKeys()).publicKey,

    subscribe: (userId: number, s: { endpoint: string; keys: { p256dh: string; auth: string } }) =>
      pushRepo.upsertSubscription(knex(), userId, { endpoint: s.endpoint, p256dh: s.keys.p256dh, auth: s.keys.auth }, new Date()),

    unsubscribe: (userId: number, endpoint: string) => pushRepo.deleteSubscription(knex(), userId, endpoint),

    /**
     * The outbox's push lane: sends claimed push rows, fenced on the claim like the emails
     * (services/outbox.ts): the batch's state changes are a few statements, not two per push.
     * `sending` first, in the UPDATE that drops a push whose recipient read the thread, left it or
     * blocks its author meanwhile; then the pushes, PUSH_CONCURRENCY at a time; then the results.
     */
    async sendClaimed(rows: OutboxRow[], { token, leaseMs }: Claim) {
      const [vapid, data] = await Promise.all([vapidKeys(), loadBatch(rows)]);
      // Nothing left to push (the subscription or the message is gone): dropped, not retried.
      const gone: number[] = [];
      const outgoing: Array<{ row: OutboxRow; sub: PushSubscription; payload: string }> = [];
      for (const row of rows) {
        const sub = data.subs.get(row.subscriptionId ?? 0);
        const message = data.messages.get(row.messageId ?? 0);
        if (!sub || !message || message.deletedAt) {
          gone.push(row.id);
          continue;
        }
        const thread = data.threads.get(row.threadId ?? 0);
        const payload = payloadOf(row, {
          threadDocumentId: thread?.documentId,
          subject: thread?.subject,
          author: data.people.get(message.authorId ?? 0)?.username,
          excerpt: message.excerpt,
          preview: data.previews.has(row.userId ?? 0),
        });
        outgoing.push({ row, sub, payload });
      }
      const held = await inTransaction(strapi, async (trx) => {
        const now = new Date();
        const sending = await claimsRepo.markSendingMany(
          trx,
          outgoing.map((o) => ({ id: o.row.id, messageKey: o.row.messageKey ?? `push-${o.row.id}`, unlessSeen: true })),
          token,
          now,
          leaseMs
        );
        // Read, left or blocked meanwhile: dropped (the rows whose claim was lost are left alone).
        await claimsRepo.markDroppedMany(trx, [...gone, ...outgoing.filter((o) => !sending.has(o.row.id)).map((o) => o.row.id)], token, now);
        return sending;
      });
      const sent: number[] = [];
      const ok: number[] = [];
      const dead: number[] = [];
      const failed: Array<{ row: OutboxRow; error: string }> = [];
      await inParallel(outgoing.filter((o) => held.has(o.row.id)), PUSH_CONCURRENCY, async ({ row, sub, payload }) => {
        try {
          await webPush.sendNotification({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload, {
            vapidDetails: vapid,
            TTL: TTL_SECONDS,
            contentEncoding: 'aes128gcm',
            timeout: 15_000,
          });
          sent.push(row.id);
          ok.push(sub.id);
        } catch (error) {
          const status = (error as { statusCode?: number }).statusCode;
          if (status === 404 || status === 410) {
            // The browser unsubscribed or the subscription expired: it is gone for good, nothing to retry.
            dead.push(sub.id);
            sent.push(row.id);
            return;
          }
          failed.push({ row, error: status ? `push service answered ${status}` : String((error as Error)?.message ?? error) });
        }
      });
      await inTransaction(strapi, async (trx) => {
        const now = new Date();
        const marked = await claimsRepo.markSentMany(trx, sent, token, now);
        if (marked < sent.length) strapi.log.warn(`[private-messages] outbox: ${sent.length - marked} push(es) sent after their claim was lost; left to the worker that holds them`);
        await pushRepo.markSubscriptionsOk(trx, ok, now);
        await pushRepo.deleteSubscriptionsByIds(trx, dead);
        // Failures are rare and usually the whole batch's (the push service is down); their backoff is each row's.
        for (const { row, error } of failed) await claimsRepo.markFailed(trx, row, token, error, new Date(now.getTime() + backoffMs(row.attempts)), MAX_ATTEMPTS, now);
      });
    },

    /** Forgets the cached keys (tests that change the config). */
    forgetKeys() {
      keys = null;
    },
  };
};

export default pushService;
