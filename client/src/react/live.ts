import type { PrivateMessagesClient } from '../client';
import type { StreamEvent, UnreadCount } from '../types';

/*
 * One real-time connection shared by every hook under a PrivateMessagesProvider: the stream while
 * it is up; while it is down (the server has none, or it failed), the unread count polled, and a
 * change of it heard as a `resync`. Hooks subscribe and refetch what an event says changed.
 */

export type LiveStatus = 'connecting' | 'live' | 'polling' | 'stopped';

/** A stream event, or one the bindings make themselves after a write of this page (`local: true`). */
export type LiveEvent = StreamEvent & { local?: boolean };

export type LiveOptions = {
  /** Open the stream (default true); false: poll only. */
  stream?: boolean;
  /** How often to poll the unread count while the stream is down (ms, default 10 s; 0: never). */
  pollMs?: number;
  /** The stream stopped for good: a refused credential (401), or `reauth` without a way to renew it. */
  onStopped?: () => void;
};

export type Live = {
  readonly status: LiveStatus;
  subscribe(listener: (event: LiveEvent) => void): () => void;
  onStatus(listener: (status: LiveStatus) => void): () => void;
  /** Tell every subscriber (a write of this page, so lists refresh without waiting for the stream). */
  emit(event: LiveEvent): void;
  start(): void;
  stop(): void;
};

export const createLive = (client: PrivateMessagesClient, options: LiveOptions = {}): Live => {
  const listeners = new Set<(event: LiveEvent) => void>();
  const statusListeners = new Set<(status: LiveStatus) => void>();
  let status: LiveStatus = 'stopped';
  let handle: { close(): void } | null = null;
  let poller: ReturnType<typeof setInterval> | null = null;
  let lastCount: UnreadCount | null = null;
  let lastError: unknown = null;
  const pollMs = options.pollMs ?? 10_000;

  const setStatus = (next: LiveStatus) => {
    if (next === status) return;
    status = next;
    for (const l of statusListeners) l(next);
  };
  const emit = (event: LiveEvent) => {
    if (event.event === 'unread-count') lastCount = event.data;
    for (const l of [...listeners]) l(event);
  };
  const stopPolling = () => {
    if (poller) clearInterval(poller);
    poller = null;
  };
  const poll = () => {
    if (poller || pollMs <= 0) return;
    setStatus('polling');
    poller = setInterval(async () => {
      const count = await client.unreadCount().then((r) => r.data, () => null);
      if (!count) return;
      const changed = lastCount !== null && (count.messages !== lastCount.messages || count.threads !== lastCount.threads);
      emit({ event: 'unread-count', id: undefined, data: count } as LiveEvent);
      if (changed) emit({ event: 'resync', id: undefined, data: {} } as LiveEvent);
    }, pollMs);
  };

  const start = () => {
    if (handle || poller) return;
    if (options.stream === false) return poll();
    lastError = null;
    setStatus('connecting');
    const mine = client.stream({
      onOpen: () => {
        stopPolling();
        setStatus('live');
      },
      onEvent: (event) => emit(event),
      onError: (error, { willReconnect }) => {
        lastError = error;
        if (willReconnect) poll();
      },
      onClose: () => {
        // Not this stream any more (stop() closed it on purpose): nothing to tell.
        if (handle !== mine) return;
        handle = null;
        // Refused for another reason than the credential (a role without the stream's permission):
        // polling still keeps the page current.
        const status = (lastError as { status?: unknown } | null)?.status;
        if (lastError && status !== 401) return poll();
        stopPolling();
        setStatus('stopped');
        options.onStopped?.();
      },
      maxReconnectDelayMs: 60_000,
    });
    handle = mine;
  };

  const stop = () => {
    const h = handle;
    handle = null;
    stopPolling();
    h?.close();
    setStatus('stopped');
  };

  return {
    get status() {
      return status;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => void statusListeners.delete(listener);
    },
    emit,
    start,
    stop,
  };
};
