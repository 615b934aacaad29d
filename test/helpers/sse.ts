import type { AddressInfo } from 'node:net';
import type { Core } from '@strapi/strapi';

/** One event as a client sees it (comments are counted, not kept). */
export type SseEvent = { id?: string; event: string; data: any };

export type SseClient = {
  status: number;
  events: SseEvent[];
  comments: number;
  /** Resolves with the first event (after `from`, an index into `events`) that matches, or rejects after `ms`. */
  next(match: (e: SseEvent) => boolean, ms?: number, from?: number): Promise<SseEvent>;
  /** The events (of that name) received after the first `from`. */
  since(from: number, name?: string): SseEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
  lastEventId(): string | undefined;
  /** The response body when it was not a stream (an error). */
  body: any;
};

/** Makes the test's Strapi listen on a port (the SSE client needs a real socket); answers its base URL. */
export const listen = async (strapi: Core.Strapi): Promise<string> => {
  const server = strapi.server.httpServer;
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/**
 * Resolves once this Strapi's stream has handled every fact so far (its own events, and what its
 * bus brought) and its clients in this process have read what that wrote them (a write to a local
 * socket is there at once; reading it takes a turn of the event loop or two): after it, an event
 * that did not come was not sent.
 */
export const streamIdle = async (strapi: Core.Strapi) => {
  await strapi.plugin('private-messages').service('stream').idle();
  for (let i = 0; i < 3; i += 1) await new Promise((r) => setImmediate(r));
};

/**
 * A Server-Sent Events client over node's fetch, parsing the stream as a browser would
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 */
export const openStream = async (
  base: string,
  options: { jwt?: string; ticket?: string; lastEventId?: string; lastEventIdQuery?: string; query?: string } = {}
): Promise<SseClient> => {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.jwt) headers.authorization = `Bearer ${options.jwt}`;
  if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
  const params = new URLSearchParams();
  if (options.ticket) params.set('ticket', options.ticket);
  if (options.lastEventIdQuery) params.set('lastEventId', options.lastEventIdQuery);
  const query = options.query ?? params.toString();
  const res = await fetch(`${base}/api/private-messages/stream${query ? `?${query}` : ''}`, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const waiters = new Set<() => boolean>();
  // As EventSource keeps it: the last `id:` field of a dispatched block, with or without data.
  let idBuffer: string | undefined;
  let lastId: string | undefined;
  const client: SseClient = {
    status: res.status,
    events,
    comments: 0,
    body: undefined,
    ended: Promise.resolve(),
    close: () => controller.abort(),
    lastEventId: () => lastId,
    next(match, ms = 5000, from = 0) {
      return new Promise((resolve, reject) => {
        // Both ends clear the timer: a pending timer would hold this client (its response, its
        // reader) for `ms` after the match, which the leak test would count as the server's.
        const check = () => {
          const found = events.slice(from).find(match);
          if (found) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(found);
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(events)}`));
        }, ms);
        if (!check()) waiters.add(check);
      });
    },
    since(from, name) {
      return events.slice(from).filter((e) => !name || e.event === name);
    },
  };
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    client.body = await res.json().catch(() => null);
    return client;
  }
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  client.ended = (async () => {
    let buffer = '';
    let current: { id?: string; event?: string; data: string[] } = { data: [] };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).replace(/\r$/, '');
          buffer = buffer.slice(nl + 1);
          if (line === '') {
            lastId = idBuffer;
            if (current.data.length > 0) {
              const text = current.data.join('\n');
              let data: unknown = text;
              try {
                data = JSON.parse(text);
              } catch {
                // not JSON: kept as text
              }
              events.push({ id: current.id, event: current.event ?? 'message', data });
              for (const w of [...waiters]) if (w()) waiters.delete(w);
            }
            current = { data: [] };
          } else if (line.startsWith(':')) {
            client.comments += 1;
          } else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') current.data.push(value);
            if (field === 'event') current.event = value;
            if (field === 'id') current.id = idBuffer = value;
          }
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return client;
};
