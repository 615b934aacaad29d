import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { RealtimeConfig } from '../config/defaults';
import { resolveRealtimeConfig } from '../config/resolve';
import { createBus, type Bus, type Fact } from '../realtime/bus';
import { factOf, EVENTS_WITH_FACTS } from '../realtime/facts';
import { StreamHub, type Connection, type StreamResponse } from '../realtime/hub';
import { yieldToEventLoop } from '../repositories/db';
import { isSharedByProcesses, supportsListenNotify } from '../repositories/dialect';
import * as streamRepo from '../repositories/stream';
import { createDocumentId } from '../utils/ids';
import { forbidden } from '../utils/errors';
import { createStreamAccess } from './stream-access';
import { createStreamDelivery } from './stream-delivery';
import { createTickets, TICKET_RATE_WINDOW_MS } from './stream-tickets';

const TICKET_PRUNE_EVERY_MS = 5 * 60_000;
const RECHECK_PER_STATEMENT = 1000;

/** Where a stream resumes: `lastEventId` (the Last-Event-ID header or query), `resume` (a ticket's secret), `expiresAt` (its credential's end, epoch ms). */
export type StreamOpening = { expiresAt: number | null; lastEventId: string | undefined; resume: string | undefined };

/**
 * The real-time stream (GET /stream) on this instance: the plugin's events (emitted after their
 * transactions commit) become facts (realtime/facts.ts), handled here and carried to every other
 * instance by the bus (realtime/bus); each instance tells the users it follows what they may see
 * of a fact (stream-delivery.ts), and ends the streams of users who may no longer listen
 * (stream-access.ts). The open streams are the hub's (realtime/hub.ts); the response is the
 * controller's (controllers/stream-response.ts).
 */
const streamService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
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
  const access = createStreamAccess(strapi);
  const delivery = createStreamDelivery(knex, () => hub);
  const tickets = createTickets(strapi, () => config!);

  // Facts are handled one at a time, in order, so a later unread count never arrives before an earlier one.
  let queue: Promise<void> = Promise.resolve();
  let queued = 0;
  const enqueue = (task: () => Promise<void>) => {
    queued += 1;
    queue = queue
      .then(task)
      .catch((error: Error) => {
        strapi.log.error(`[private-messages] stream: ${error.message}`);
      })
      .finally(() => {
        queued -= 1;
      });
    return queue;
  };

  // Streams opened since the queue last took them, waiting for their first unread count: counted
  // together (10,000 streams opening at once are a few statements, not 10,000 in the queue).
  let awaitingFirstCount: Connection[] = [];
  const awaitingCount = (connection: Connection) => {
    awaitingFirstCount.push(connection);
    if (awaitingFirstCount.length > 1) return;
    enqueue(async () => {
      const connections = awaitingFirstCount;
      awaitingFirstCount = [];
      await delivery.firstUnreadCounts(connections);
    });
  };

  /** Ends the streams of those of `userIds` who may no longer listen, a thousand users per check. */
  const recheck = async (userIds: number[]) => {
    for (let i = 0; i < userIds.length && hub; i += RECHECK_PER_STATEMENT) {
      if (i > 0) await yieldToEventLoop();
      const revoked = await access.revokedAmong(userIds.slice(i, i + RECHECK_PER_STATEMENT));
      hub?.endUsers(revoked);
    }
  };

  const handle = (fact: Fact) => delivery.handle(fact, recheck);

  /** Publishes a fact: handled here at once, and carried to the other instances by the bus. */
  const publish = (fact: Fact) => {
    if (!hub) return;
    enqueue(() => handle(fact));
    bus?.publish(fact);
  };

  const every = (ms: number, task: () => void | Promise<void>) => {
    const timer = setInterval(() => {
      Promise.resolve()
        .then(task)
        .catch((error: Error) => strapi.log.error(`[private-messages] stream: ${error.message}`));
    }, ms);
    timer.unref();
    timers.push(timer);
  };

  const listenToEvents = () => {
    for (const event of EVENTS_WITH_FACTS) {
      // Async for eventHub's type; it publishes synchronously, so a fact is queued before emit() returns.
      const listener = async (payload: unknown) => {
        try {
          const fact = factOf(event, payload);
          if (fact) publish(fact);
        } catch (error) {
          strapi.log.error(`[private-messages] stream: ${(error as Error).message}`);
        }
      };
      strapi.eventHub.on(event, listener);
      unsubscribes.push(() => strapi.eventHub.off(event, listener));
    }
  };

  const startBus = async (current: StreamHub, realtime: RealtimeConfig) => {
    const db = () => knex();
    bus = createBus({
      config: realtime,
      database: { listenNotify: supportsListenNotify(knex()), sharedByProcesses: isSharedByProcesses(knex()) },
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
  };

  return {
    /** At bootstrap: the configuration, the bus, the plugin's events, the timers. */
    async start() {
      if (hub) return;
      config = resolveRealtimeConfig(strapi.config.get('plugin::private-messages') ?? {});
      const current = new StreamHub(config);
      hub = current;
      await startBus(current, config);
      listenToEvents();
      every(config.heartbeatSeconds * 1000, () => hub?.heartbeat());
      every(config.recheckSeconds * 1000, async () => {
        if (!hub) return;
        await enqueue(() => recheck(hub!.connectedUserIds()));
        if (Date.now() - lastTicketPrune > TICKET_PRUNE_EVERY_MS) {
          lastTicketPrune = Date.now();
          await streamRepo.deleteExpiredTickets(knex(), new Date(Date.now() - TICKET_RATE_WINDOW_MS));
        }
      });
      strapi.log.info(`[private-messages] stream: bus "${bus!.name}"`);
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
     * Resolves once this instance has handled every fact it was given (its own events, and those
     * the bus brought so far) and written what they meant to its streams: what a caller waits for
     * before looking at what a stream was, or was not, sent.
     */
    async idle() {
      for (;;) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (queued === 0) return;
        await queue;
      }
    },

    /**
     * Opens a stream for the user: refused (403 suspended, 429 past a cap, with `retryAfter` in
     * its details) before `respond` is called, else `respond()` turns the request into the stream,
     * which starts with its reconnect delay, what it missed after `lastEventId`, and its position.
     */
    async open(userId: number, opening: StreamOpening, respond: () => StreamResponse) {
      if (!hub || !config) throw new errors.ApplicationError('The stream is not running');
      // The periodic check ends a suspended user's streams; this keeps them from coming back
      // (EventSource reconnects with the same ticket). Before the caps: no await between the
      // cap check and the registration below.
      if (await access.isSuspended(userId)) throw forbidden('Your messaging is suspended', { code: 'sender_suspended' });
      if (!hub || !config) throw new errors.ApplicationError('The stream is not running');
      const refusal = hub.admit(userId);
      if (refusal) {
        throw new errors.RateLimitError(
          refusal === 'user' ? `At most ${config.maxStreamsPerUser} streams per user` : 'Too many open streams on this server',
          { retryAfter: Math.ceil(config.retryMs / 1000) }
        );
      }
      const response = respond();
      const current = hub;
      let connection: Connection | null = null;
      const close = () => connection && current.close(connection);
      response.onClose(close);
      const { connection: opened, needsUnreadCount } = current.open(userId, response.sink, opening.lastEventId, {
        resume: opening.resume,
        expiry: { at: opening.expiresAt, expire: (c) => current.end(c, true) },
      });
      connection = opened;
      if (needsUnreadCount) awaitingCount(opened);
      // The request may already be gone (the client gave up while we set up).
      if (response.gone) close();
    },

    issueTicket: (userId: number, credentialExpiresAt: number | null) => tickets.issue(userId, credentialExpiresAt),
    useTicket: (ticket: string, resumeHeader: string | undefined) => tickets.use(ticket, resumeHeader),

    /** For tests and the benchmark: what this instance holds. */
    stats: () => ({ streams: hub?.openStreams ?? 0, followedUsers: hub?.followedUserIds().length ?? 0, bus: bus?.name ?? null, instance: hub?.instance ?? null }),
  };
};

export default streamService;
