import type { Core } from '@strapi/strapi';
import webPush from 'web-push';
import * as claimsRepo from '../repositories/outbox-claims';
import * as messagesRepo from '../repositories/messages';
import * as pushRepo from '../repositories/push';
import * as threadsRepo from '../repositories/threads';
import type { OutboxRow } from '../repositories/outbox';
import { createUsersRepository } from '../repositories/users';
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
 * retries, fencing), one row per message and subscription; a 404 or 410 from the push service
 * deletes the subscription.
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

  const sendOne = async (row: OutboxRow, token: string, leaseMs: number, data: Awaited<ReturnType<typeof loadBatch>>, vapid: VapidKeys) => {
    const sub = data.subs.get(row.subscriptionId ?? 0);
    const message = data.messages.get(row.messageId ?? 0);
    if (!sub || !message || message.deletedAt) {
      await claimsRepo.markDropped(knex(), row.id, token, new Date());
      return;
    }
    // Read, left or blocked meanwhile: dropped (the same fenced check as emails).
    if (!(await claimsRepo.markSending(knex(), row.id, token, row.messageKey ?? `push-${row.id}`, new Date(), leaseMs, { unlessSeen: true }))) {
      await claimsRepo.markDropped(knex(), row.id, token, new Date());
      return;
    }
    const thread = data.threads.get(row.threadId ?? 0);
    const payload = payloadOf(row, {
      threadDocumentId: thread?.documentId,
      subject: thread?.subject,
      author: data.people.get(message.authorId ?? 0)?.username,
      excerpt: message.excerpt,
      preview: data.previews.has(row.userId ?? 0),
    });
    try {
      await webPush.sendNotification({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload, {
        vapidDetails: vapid,
        TTL: TTL_SECONDS,
        contentEncoding: 'aes128gcm',
        timeout: 15_000,
      });
      await claimsRepo.markSent(knex(), row.id, token, new Date());
      await pushRepo.markSubscriptionOk(knex(), sub.id, new Date());
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404 || status === 410) {
        // The browser unsubscribed or the subscription expired: it is gone for good.
        await pushRepo.deleteSubscriptionById(knex(), sub.id);
        await claimsRepo.markSent(knex(), row.id, token, new Date());
        return;
      }
      const now = new Date();
      const detail = status ? `push service answered ${status}` : String((error as Error)?.message ?? error);
      await claimsRepo.markFailed(knex(), row, token, detail, new Date(now.getTime() + backoffMs(row.attempts)), MAX_ATTEMPTS, now);
    }
  };

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

    /** The outbox's push lane: sends claimed push rows, each fenced on the claim (services/outbox.ts). */
    async sendClaimed(rows: OutboxRow[], { token, leaseMs }: Claim) {
      const [vapid, data] = await Promise.all([vapidKeys(), loadBatch(rows)]);
      let next = 0;
      const worker = async () => {
        while (next < rows.length) await sendOne(rows[next++], token, leaseMs, data, vapid);
      };
      await Promise.all(Array.from({ length: Math.min(PUSH_CONCURRENCY, rows.length) }, worker));
    },

    /** Forgets the cached keys (tests that change the config). */
    forgetKeys() {
      keys = null;
    },
  };
};

export default pushService;
