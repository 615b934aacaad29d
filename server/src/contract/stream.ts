import { z } from 'zod';
import { emptyBodySchema, emptyQuerySchema } from '../validation';
import { contractSchemas, unreadCountSchema } from './responses';
import type { RouteContract } from './route-contract';

/*
 * The real-time stream of the contract (Server-Sent Events): its two routes and its events. Events
 * carry ids and counters, never bodies or subjects. routes/content-api.ts mounts the routes from
 * here like every other route of the contract.
 */

/**
 * Every event name the stream sends, once: the server's hub (realtime/) and the client take their
 * `StreamEventName` from this list, so a misspelt name does not compile on either side.
 */
export const STREAM_EVENT_NAMES = ['message.created', 'thread.updated', 'unread-count', 'resync', 'reauth'] as const;
export type StreamEventName = (typeof STREAM_EVENT_NAMES)[number];

/**
 * The query of GET /stream: `ticket` (EventSource cannot send an Authorization header) and
 * `lastEventId`, the resume position for clients that cannot send the Last-Event-ID header (it is
 * not a CORS-safelisted header; Strapi's default CORS configuration refuses it). The header wins
 * when both are sent.
 */
export const streamQuerySchema = z.strictObject({ ticket: z.string().max(128).optional(), lastEventId: z.string().max(128).optional() });

export const streamContract = [
  {
    operation: 'stream.ticket',
    method: 'POST',
    path: '/stream/tickets',
    action: 'stream.ticket',
    summary:
      'A ticket for EventSource: opens one stream; its reconnects need the Last-Event-ID header of that stream (what EventSource sends). ' +
      '429 with Retry-After past realtime.ticketsPerMinute or realtime.maxTicketsPerUser unused tickets',
    query: emptyQuerySchema,
    body: emptyBodySchema,
    status: 200,
    response: 'streamTicket',
    errors: [429],
  },
  {
    operation: 'stream.connect',
    method: 'GET',
    path: '/stream',
    action: 'stream.connect',
    // EventSource cannot send an Authorization header: a ticket (`?ticket=`) is tried before the JWT.
    ticket: true,
    summary:
      `Server-Sent Events: ${STREAM_EVENT_NAMES.join(', ')}. Authorization: Bearer, or ?ticket=. ` +
      'Send the last event id on reconnect (Last-Event-ID header or ?lastEventId=) to get the events missed (or resync when they are too old)',
    query: streamQuerySchema,
    status: 200,
    produces: 'text/event-stream',
    errors: [429],
  },
] as const satisfies readonly RouteContract[];

const threadRef = z.strictObject({ threadId: z.string() });

/** `data` of each event name. */
export const streamEvents = {
  'message.created': z.strictObject({ threadId: z.string(), messageId: z.string() }),
  'thread.updated': threadRef,
  // The counts of GET /unread-count, the one definition.
  'unread-count': unreadCountSchema,
  resync: z.strictObject({}),
  reauth: z.strictObject({}),
} as const satisfies Record<StreamEventName, z.ZodType>;

const event = <N extends StreamEventName>(name: N) =>
  z.strictObject({ event: z.literal(name), id: z.string().optional(), data: streamEvents[name] });

/** The schema of each event, in the list's order (a tuple, so each keeps its own `data`). */
type SchemasOf<T extends readonly StreamEventName[]> = { -readonly [I in keyof T]: T[I] extends StreamEventName ? ReturnType<typeof event<T[I]>> : never };

/** One event as the client hands it over: its name, id (for Last-Event-ID) and data. */
export const streamEventSchema = z
  .discriminatedUnion('event', STREAM_EVENT_NAMES.map(event) as unknown as SchemasOf<typeof STREAM_EVENT_NAMES>)
  .register(contractSchemas, { id: 'StreamEvent' });
