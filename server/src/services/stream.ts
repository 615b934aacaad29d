import { PassThrough } from 'node:stream';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { RealtimeConfig } from '../config/defaults';
import { resolveRealtimeConfig } from '../config/resolve';
import { EVENTS } from '../events';
import { createBus, type Bus, type Fact } from '../realtime/bus';
import { StreamHub, type Connection } from '../realtime/hub';
import { dialectOf } from '../repositories/dialect';
import { countUnreadMany } from '../repositories/unread-counts';
import * as streamRepo from '../repositories/stream';
import { suspendedAmong } from '../repositories/suspensions';
import { createUsersRepository } from '../repositories/users';
import { createDocumentId } from '../utils/ids';
import { createTickets, TICKET_RATE_WINDOW_MS } from './stream-tickets';
import { emailConfirmationRequired } from '../realtime/ticket-strategy';
import { forbidden } from '../utils/errors';

/** The users-permissions action that lets a role open the stream. */
export const STREAM_ACTION = 'plugin::private-messages.stream.connect';

const TICKET_PRUNE_EVERY_MS = 5 * 60_000;

/**
 * The real-time stream (GET /stream): keeps this instance's streams (realtime/hub.ts), turns the
 * plugin's events (emitted after their transactions commit) into facts for every instance
 * (realtime/bus), and tells each followed user what they may see of a fact, decided with the
 * visibility rule of the REST routes in one set-based statement per fact (repositories/stream.ts).
 * Payloads are ids and counters; unread counts come from the one definition (countUnreadMany).
 */
const streamService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const users = createUsersRepository(strapi);
  const log = {
    warn: (m: string) => strapi.log.warn(m),
    info: (m: string) => strapi.log.info(m),
  };

  let config: RealtimeConfig | null = null;
  let hub: StreamHub | null = null;
  let bus: Bus | null = null;
  const timers: NodeJS.Timeout[] = [];
  const unsubscribes: (() => void)[] = [];
  let lastTicketPrune = 0;

  // Facts are handled one at a time, in order, so a later unread count never arrives before an earlier one.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (task: () => Promise<void>) => {
    queue = queue.then(task).catch((error: Error) => {
      strapi.log.error(`[private-messages] stream: ${error.message}`);
    });
    return queue;
  };

  const sendUnreadCounts = async (userIds: number[]) => {
    if (!hub || userIds.length === 0) return;
    for (const [userId, counts] of await countUnreadMany(knex(), [...new Set(userIds)])) hub.send(userId, 'unread-count', counts);
  };

  /** What one fact means for the users this instance follows. */
  const handle = async (fact: Fact) => {
    if (!hub) return;
    const followed = hub.followedUserIds();
    if (fact.t === 'm') {
      if (followed.length === 0) return;
      const recipients = await streamRepo.messageRecipients(knex(), fact.m, followed, fact.k);
      for (const r of recipients) {
        if (fact.k === 'deleted') hub.send(r.userId, 'thread.updated', { threadId: r.threadId });
        else hub.send(r.userId, 'message.created', { threadId: r.threadId, messageId: r.messageId });
      }
      if (fact.k !== 'deleted') await sendUnreadCounts(recipients.map((r) => r.userId));
    } else if (fact.t === 'u') {
      if (!followed.includes(fact.u)) return;
      for (const threadId of fact.th) hub.send(fact.u, 'thread.updated', { threadId });
      await sendUnreadCounts([fact.u]);
    } else if (fact.t === 'r') {
      await recheck([fact.u]);
    } else if (fact.t === 'e') {
      hub.endUsers([fact.u]);
    }
  };

  /** Publishes a fact: handled here at once, and carried to the other instances by the bus. */
  const publish = (fact: Fact) => {
    if (!hub) return;
    enqueue(() => handle(fact));
    bus?.publish(fact);
  };

  /**
   * Ends the streams of users who may no longer listen: deleted, blocked by the site, unconfirmed
   * while users-permissions requires email confirmation (its own rule for a JWT), suspended by a
   * moderator, or whose role lost the stream action. Set-based reads for all of them.
   */
  const recheck = async (userIds: number[]) => {
    if (!hub || userIds.length === 0) return;
    const found = await users.findForRules(userIds, true);
    const roles = await users.roleActions([...found.values()].map((u) => u.roleId), [STREAM_ACTION]);
    const suspended = await suspendedAmong(knex(), userIds);
    const unconfirmed = (await emailConfirmationRequired())
      ? await streamRepo.unconfirmedAmong(knex(), strapi.db.metadata.get('plugin::users-permissions.user').tableName, userIds)
      : new Set<number>();
    const revoked = userIds.filter((id) => {
      const user = found.get(id);
      return !user || user.blocked || unconfirmed.has(id) || suspended.has(id) || user.roleId === null || !roles.get(user.roleId)?.has(STREAM_ACTION);
    });
    hub.endUsers(revoked);
  };

  const tickets = createTickets(strapi, () => config!);

  const every = (ms: number, task: () => void | Promise<void>) => {
    const timer = setInterval(() => {
      Promise.resolve()
        .then(task)
        .catch((error: Error) => strapi.log.error(`[private-messages] stream: ${error.message}`));
    }, ms);
    timer.unref();
    timers.push(timer);
  };

  const listen = (event: string, toFact: (payload: any) => Fact | null) => {
    const listener = async (payload: unknown) => {
      try {
        const fact = toFact(payload ?? {});
        if (fact) publish(fact);
      } catch (error) {
        strapi.log.error(`[private-messages] stream: ${(error as Error).message}`);
      }
    };
    strapi.eventHub.on(event, listener);
    unsubscribes.push(() => strapi.eventHub.off(event, listener));
  };

  return {
    /** At bootstrap: the configuration, the bus, the plugin's events, the timers. */
    async start() {
      if (hub) return;
      config = resolveRealtimeConfig(strapi.config.get('plugin::private-messages') ?? {});
      const current = new StreamHub(config);
      hub = current;
      const db = () => knex();
      bus = createBus({
        config,
        database: dialectOf(knex()),
        instance: current.instance,
        log,
        pgConnection: () => (strapi.db.config as any).connection?.connection,
        notify: (channel, payload) => streamRepo.notifyChannel(db(), channel, payload),
        pollStore: {
          insert: (origin, payload) => streamRepo.insertStreamEvent(db(), { origin, payload, documentId: createDocumentId(), now: new Date() }),
          maxId: () => streamRepo.maxStreamEventId(db()),
          after: (id, limit) => streamRepo.streamEventsAfter(db(), id, limit),
          prune: (before) => streamRepo.deleteStreamEventsBefore(db(), before),
        },
      });
      await bus.start({
        receive: (facts) => {
          for (const fact of facts) enqueue(() => handle(fact));
        },
        gap: () => {
          enqueue(async () => hub?.resyncAll());
        },
      });

      listen(EVENTS.messageCreated, (p) => (p.messageId ? { t: 'm', m: String(p.messageId), k: 'created' } : null));
      listen(EVENTS.messageDelivered, (p) => (p.messageId ? { t: 'm', m: String(p.messageId), k: 'delivered' } : null));
      listen(EVENTS.messageDeleted, (p) => (p.messageId ? { t: 'm', m: String(p.messageId), k: 'deleted' } : null));
      listen(EVENTS.threadsUpdated, (p) => (p.userId ? { t: 'u', u: Number(p.userId), th: (p.threadIds ?? []).map(String) } : null));
      listen(EVENTS.threadLeft, (p) => (p.userId ? { t: 'u', u: Number(p.userId), th: [String(p.threadId)] } : null));
      listen(EVENTS.userSuspended, (p) => (p.userId ? { t: 'r', u: Number(p.userId) } : null));
      listen(EVENTS.userErased, (p) => (p.userId ? { t: 'e', u: Number(p.userId) } : null));

      every(config.heartbeatSeconds * 1000, () => hub?.heartbeat());
      every(config.recheckSeconds * 1000, async () => {
        if (!hub) return;
        await enqueue(() => recheck(hub!.connectedUserIds()));
        if (Date.now() - lastTicketPrune > TICKET_PRUNE_EVERY_MS) {
          lastTicketPrune = Date.now();
          await streamRepo.deleteExpiredTickets(knex(), new Date(Date.now() - TICKET_RATE_WINDOW_MS));
        }
      });
      strapi.log.info(`[private-messages] stream: bus "${bus.name}"`);
    },

    /** At destroy: every stream ends, every listener, timer and connection goes. */
    async stop() {
      for (const off of unsubscribes.splice(0)) off();
      for (const timer of timers.splice(0)) clearInterval(timer);
      hub?.closeAll();
      hub = null;
      await queue;
      await bus?.stop();
      bus = null;
    },

    /**
     * Opens a stream for the user on this response, resuming after `lastEventId` (the Last-Event-ID
     * header or the `lastEventId` query) with `resume` as its ids' first part (a ticket's). Throws
     * 429 when a cap is reached.
     */
    async open(ctx: any, userId: number, expiresAt: number | null, lastEventId: string | undefined, resume: string | undefined) {
      if (!hub || !config) throw new errors.ApplicationError('The stream is not running');
      // The periodic check ends a suspended user's streams; this keeps them from coming back
      // (EventSource reconnects with the same ticket). Before the caps: no await between the
      // cap check and the registration below.
      if ((await suspendedAmong(knex(), [userId])).has(userId)) {
        throw forbidden('Your messaging is suspended', { code: 'sender_suspended' });
      }
      const refusal = hub.admit(userId);
      if (refusal) {
        const retryAfter = Math.ceil(config.retryMs / 1000);
        ctx.set('Retry-After', String(retryAfter));
        throw new errors.RateLimitError(
          refusal === 'user' ? `At most ${config.maxStreamsPerUser} streams per user` : 'Too many open streams on this server',
          { retryAfter }
        );
      }
      const socket = ctx.req.socket;
      socket.setTimeout(0);
      socket.setNoDelay(true);
      socket.setKeepAlive(true);
      ctx.compress = false;
      ctx.status = 200;
      ctx.type = 'text/event-stream';
      ctx.set({ 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      const body = new PassThrough();
      ctx.body = body;
      // A client that goes away resets the connection now and then: for a stream that is its normal
      // end, not an error worth a log line (Koa reports any socket error of a response).
      const onerror = ctx.onerror.bind(ctx);
      ctx.onerror = (error: { code?: string } | null) => (error?.code === 'ECONNRESET' || error?.code === 'EPIPE' ? undefined : onerror(error));

      const current = hub;
      let connection: Connection | null = null;
      const close = () => connection && current.close(connection);
      ctx.req.once('close', close);
      body.once('close', close);
      body.on('error', close);
      const opened = current.open(userId, body, lastEventId, { resume, expiry: { at: expiresAt, expire: (c) => current.end(c, true) } });
      connection = opened.connection;
      if (opened.needsUnreadCount) {
        enqueue(async () => {
          if (connection && !connection.closed) current.sendTo(connection, 'unread-count', (await countUnreadMany(knex(), [userId])).get(userId)!);
        });
      }
      // The request may already be gone (the client gave up while we set up).
      if (ctx.req.destroyed) close();
    },

    issueTicket: (userId: number, credentialExpiresAt: number | null) => tickets.issue(userId, credentialExpiresAt),
    useTicket: (ticket: string, resumeHeader: string | undefined) => tickets.use(ticket, resumeHeader),

    /** For tests and the benchmark: what this instance holds. */
    stats: () => ({ streams: hub?.openStreams ?? 0, followedUsers: hub?.followedUserIds().length ?? 0, bus: bus?.name ?? null, instance: hub?.instance ?? null }),
  };
};

export default streamService;
