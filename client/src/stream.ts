import { errorFromResponse, PrivateMessagesError, type Transport } from './http';
import type { StreamEvent, StreamEventName, StreamTicket } from './types';

/*
 * The real-time stream (Server-Sent Events, GET /stream). Two ways in:
 * - `fetch` (the default, Node 20 and browsers): the JWT in the Authorization header, the body
 *   read as it arrives, and on every reconnect the last event's id as `?lastEventId=` (the query
 *   rather than the Last-Event-ID header, which Strapi's default CORS configuration does not allow
 *   from another origin), so the server replays what was missed (or sends `resync` when it is too old).
 * - `eventsource`: the browser's native EventSource with `?ticket=` from POST /stream/tickets
 *   (EventSource cannot send headers). EventSource reconnects by itself with Last-Event-ID while the
 *   ticket lasts; once it is refused, a new ticket opens a new EventSource, which cannot carry the
 *   last id, so the client hands the application a `resync` of its own.
 */

/** Each event name of the contract once: a name missing here, or one the server does not send, does not compile. */
const EVENT_NAMES: Record<StreamEventName, true> = { 'message.created': true, 'thread.updated': true, 'unread-count': true, resync: true, reauth: true };
export const STREAM_EVENTS: readonly StreamEventName[] = Object.keys(EVENT_NAMES) as StreamEventName[];

type EventSourceLike = {
  readyState: number;
  close(): void;
  addEventListener(type: string, listener: (e: { data?: unknown; lastEventId?: string }) => void): void;
  onopen: ((e: unknown) => void) | null;
  onerror: ((e: unknown) => void) | null;
};
type EventSourceConstructor = new (url: string) => EventSourceLike;

export type StreamOptions = {
  /** Every event: `message.created`, `thread.updated`, `unread-count`, `resync` (refetch), `reauth` (the credential expired). */
  onEvent: (event: StreamEvent) => void;
  onOpen?: () => void;
  /** A failed connection; `willReconnect` says whether the client tries again (after `delayMs`). */
  onError?: (error: unknown, info: { willReconnect: boolean; delayMs: number }) => void;
  /** The stream stopped for good: `close()`, the signal, a refused credential, or `reauth` without `getToken`. */
  onClose?: () => void;
  /** Resume after this event id (sent as `?lastEventId=`, the Last-Event-ID of the SSE rules). */
  lastEventId?: string;
  transport?: 'fetch' | 'eventsource';
  /** The EventSource to use with `transport: 'eventsource'` (default: the global one). */
  EventSource?: EventSourceConstructor;
  /** First reconnect delay after an error, doubling up to `maxReconnectDelayMs` (defaults 1 s and 30 s). */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  signal?: AbortSignal;
};

export type StreamHandle = {
  close(): void;
  /** The id of the last event received (what a reconnect resumes after). */
  readonly lastEventId: string | undefined;
  /** Settles when the stream stops for good. */
  readonly done: Promise<void>;
};

/** An incremental parser of `text/event-stream` (the WHATWG rules: fields, comments, blank-line dispatch). */
export const createSseParser = (dispatch: (e: { event: string; data: string; id: string | undefined }) => void, onRetry: (ms: number) => void) => {
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  let afterCR = false;
  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) dispatch({ event: event || 'message', data: data.join('\n'), id });
      data = [];
      event = '';
      return;
    }
    if (text.startsWith(':')) return; // a comment: the server's heartbeat
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\u0000')) id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value));
  };
  return {
    push(chunk: string) {
      // A chunk that ended with \r may have split a \r\n: its \n is not another line end.
      if (afterCR && chunk.startsWith('\n')) chunk = chunk.slice(1);
      afterCR = chunk.endsWith('\r');
      buffer += chunk;
      const parts = buffer.split(/\r\n|\r|\n/);
      buffer = parts.pop() ?? '';
      parts.forEach(line);
    },
    get lastEventId() {
      return id;
    },
  };
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    // The listener goes with the timer: a long-lived stream would otherwise pile one up per wait.
    const onAbort = () => (clearTimeout(timer), resolve());
    const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

export const createStream = (
  transport: Transport,
  options: StreamOptions,
  ticket: () => Promise<{ data: StreamTicket }>
): StreamHandle => {
  const stop = new AbortController();
  const base = options.reconnectDelayMs ?? 1000;
  const max = options.maxReconnectDelayMs ?? 30_000;
  let lastEventId = options.lastEventId;
  let serverRetry: number | undefined;
  let failures = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const close = () => {
    if (stop.signal.aborted) return;
    stop.abort();
  };
  options.signal?.addEventListener('abort', close, { once: true });
  if (options.signal?.aborted) close();

  /** Hands an event over; answers whether the stream should stop (reauth without a way to a new token). */
  const deliver = (name: string, raw: string, id: string | undefined) => {
    if (id !== undefined) lastEventId = id;
    if (!STREAM_EVENTS.includes(name as StreamEventName)) return false;
    let data: unknown = {};
    try {
      data = raw ? JSON.parse(raw) : {};
    } catch {
      return false;
    }
    options.onEvent({ event: name, id, data } as StreamEvent);
    return name === 'reauth';
  };

  const delay = () => Math.min(max, (serverRetry ?? base) * 2 ** Math.max(0, failures - 1));

  const runFetch = async () => {
    // After a refused credential or `reauth`, the next connection asks getToken for a renewed token.
    let renew = false;
    while (!stop.signal.aborted) {
      let reauth = false;
      try {
        const jwt = await transport.token(renew);
        const resume = lastEventId !== undefined ? `?lastEventId=${encodeURIComponent(lastEventId)}` : '';
        // Accept and Authorization only: no Cache-Control or Last-Event-ID, which a cross-origin
        // request may send only where the server's CORS configuration allows them.
        const res = await transport.fetch(`${transport.base}/stream${resume}`, {
          headers: transport.headers(jwt, { accept: 'text/event-stream' }),
          signal: stop.signal,
        });
        if (!res.ok || !res.body) {
          const error = res.ok ? new PrivateMessagesError({ status: res.status, name: 'HttpError', message: 'The stream has no body' }) : await errorFromResponse(res);
          // A refused credential: one more try with a renewed token, if getToken may give one.
          if (res.status === 401 && transport.canRefresh && !renew) {
            renew = true;
            continue;
          }
          if (res.status === 401 || res.status === 403) {
            options.onError?.(error, { willReconnect: false, delayMs: 0 });
            return;
          }
          throw error;
        }
        renew = false;
        failures = 0;
        options.onOpen?.();
        const parser = createSseParser(
          (e) => {
            if (deliver(e.event, e.data, e.id)) reauth = true;
          },
          (ms) => (serverRetry = ms)
        );
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done: ended } = await reader.read();
          if (ended) break;
          parser.push(value);
          if (reauth) {
            await reader.cancel().catch(() => {});
            break;
          }
        }
        if (reauth) {
          // The credential expired: getToken may renew it; a fixed token will not.
          if (!transport.canRefresh) return;
          renew = true;
          continue;
        }
        // The server ended the stream (a restart, a proxy's timeout): reconnect from the last id.
        await sleep(serverRetry ?? base, stop.signal);
      } catch (error) {
        if (stop.signal.aborted) return;
        failures += 1;
        const ms = delay();
        options.onError?.(error, { willReconnect: true, delayMs: ms });
        await sleep(ms, stop.signal);
      }
    }
  };

  const runEventSource = async () => {
    const ES = options.EventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
    if (!ES) throw new TypeError('No EventSource available: use transport "fetch" or pass EventSource');
    let opened = false;
    while (!stop.signal.aborted) {
      try {
        const { data } = await ticket();
        const source = new ES(`${transport.base}/stream?ticket=${encodeURIComponent(data.ticket)}`);
        let onStop = () => {};
        const ended = new Promise<boolean>((resolve) => {
          onStop = () => resolve(true);
          source.onopen = () => {
            failures = 0;
            options.onOpen?.();
            // A new EventSource does not carry the last id: whatever happened meanwhile is unknown.
            if (opened) deliver('resync', '{}', undefined);
            opened = true;
          };
          source.onerror = () => {
            // CLOSED: refused (an expired ticket); otherwise EventSource is reconnecting by itself.
            if (source.readyState === 2) resolve(false);
          };
          for (const name of STREAM_EVENTS) {
            source.addEventListener(name, (e) => {
              if (deliver(name, typeof e.data === 'string' ? e.data : '', e.lastEventId || undefined)) resolve(true);
            });
          }
          stop.signal.addEventListener('abort', onStop, { once: true });
        });
        const reauth = await ended;
        stop.signal.removeEventListener('abort', onStop);
        source.close();
        if (reauth && !transport.canRefresh) return;
        if (!reauth) {
          failures += 1;
          await sleep(delay(), stop.signal);
        }
      } catch (error) {
        if (stop.signal.aborted) return;
        failures += 1;
        const ms = delay();
        const fatal = error instanceof PrivateMessagesError && (error.status === 401 || error.status === 403);
        options.onError?.(error, { willReconnect: !fatal, delayMs: fatal ? 0 : ms });
        if (fatal) return;
        await sleep(ms, stop.signal);
      }
    }
  };

  (options.transport === 'eventsource' ? runEventSource() : runFetch())
    .catch((error) => options.onError?.(error, { willReconnect: false, delayMs: 0 }))
    .finally(() => {
      stop.abort();
      options.onClose?.();
      resolveDone();
    });

  return {
    close,
    get lastEventId() {
      return lastEventId;
    },
    done,
  };
};
