import { useCallback, useEffect, useRef, useState } from 'react';
import type { PrivateMessagesError } from '../http';
import type { InboxQuery, Message, NewThread, Reply, Thread, UnreadCount } from '../types';
import type { LiveEvent } from './live';
import { asError, useShared } from './provider';

/*
 * The hooks: each loads what it shows, keeps it current from the provider's live connection (an
 * event names what changed; the hook refetches it) and tells `loading` and `error` (always a
 * PrivateMessagesError, so `error.status`, `error.code` and `error.refused` are there to show).
 */

/** The most a list route answers at once: a refresh refetches what is loaded, up to this. */
const MAX_LIMIT = 100;

/** A folder of `GET /threads?folder=` (a server without folders answers 400 to anything but the default). */
export type Folder = 'inbox' | 'archived' | 'sent' | 'all' | 'requests';
export type InboxOptions = Omit<InboxQuery, 'cursor'> & { folder?: Folder };

/** Calls `refetch` on every live event `concerns` accepts, as long as the component is mounted. */
const useLiveRefetch = (concerns: (event: LiveEvent) => boolean, refetch: () => unknown) => {
  const { live } = useShared();
  const latest = useRef({ concerns, refetch });
  latest.current = { concerns, refetch };
  useEffect(() => live.subscribe((event) => void (latest.current.concerns(event) && latest.current.refetch())), [live]);
};

/** Drops answers that arrive after a newer request was made (a filter typed fast, a quick refresh). */
const useLatest = () => {
  const seq = useRef(0);
  return useCallback(() => {
    const mine = ++seq.current;
    return () => mine === seq.current;
  }, []);
};

/** A page of the inbox (or a folder), with its filters; `loadMore` appends the next page. */
export const useInbox = (options: InboxOptions = {}) => {
  const { client } = useShared();
  const key = JSON.stringify(options);
  const [threads, setThreads] = useState<Thread[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<PrivateMessagesError | undefined>();
  const loaded = useRef(0);
  const begin = useLatest();

  const load = useCallback(
    async (mode: 'first' | 'refresh' | 'more', cursor?: string) => {
      const current = begin();
      const limit = options.limit ?? 20;
      setLoading(true);
      try {
        const query = { ...options, limit: mode === 'refresh' ? Math.min(MAX_LIMIT, Math.max(limit, loaded.current)) : limit, cursor } as InboxQuery;
        const page = await client.threads.list(query);
        if (!current()) return;
        setThreads((before) => {
          const next = mode === 'more' ? [...before, ...page.data] : page.data;
          loaded.current = next.length;
          return next;
        });
        setNextCursor(page.meta.nextCursor);
        setError(undefined);
      } catch (e) {
        if (current()) setError(asError(e));
      } finally {
        if (current()) setLoading(false);
      }
    },
    [client, key] // eslint-disable-line react-hooks/exhaustive-deps
  );

  useEffect(() => {
    loaded.current = 0;
    void load('first');
  }, [load]);
  useLiveRefetch((e) => e.event !== 'unread-count' && e.event !== 'reauth', () => load('refresh'));

  return {
    threads,
    loading,
    error,
    hasMore: nextCursor !== null,
    loadMore: useCallback(() => (nextCursor ? load('more', nextCursor) : Promise.resolve()), [load, nextCursor]),
    refresh: useCallback(() => load('refresh'), [load]),
  };
};

export type ThreadOptions = {
  /** Messages per page (default 20). */
  limit?: number;
  /** Mark it read when it shows unread messages (default true): the reader has it open. */
  markRead?: boolean;
};

/** One thread and its latest messages; `loadOlder` prepends the page before them. Null id: nothing. */
export const useThread = (threadId: string | null | undefined, { limit = 20, markRead = true }: ThreadOptions = {}) => {
  const { client, live } = useShared();
  const [thread, setThread] = useState<Thread | undefined>();
  const [messages, setMessages] = useState<Message[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(Boolean(threadId));
  const [error, setError] = useState<PrivateMessagesError | undefined>();
  const count = useRef(0);
  const begin = useLatest();

  const load = useCallback(
    async (refresh: boolean) => {
      const current = begin();
      if (!threadId) {
        setThread(undefined);
        setMessages([]);
        setLoading(false);
        return;
      }
      setLoading(true);
      try {
        const { data, meta } = await client.threads.get(threadId, { limit: refresh ? Math.min(MAX_LIMIT, Math.max(limit, count.current)) : limit });
        if (!current()) return;
        const { messages: latest, ...rest } = data;
        count.current = latest.length;
        setThread(rest);
        setMessages(latest);
        setOlderCursor(meta.olderCursor);
        setError(undefined);
        if (markRead && rest.unreadCount > 0) {
          await client.threads.markRead(threadId);
          if (!current()) return;
          setThread({ ...rest, unreadCount: 0 });
          live.emit({ event: 'thread.updated', id: undefined, data: { threadId }, local: true } as LiveEvent);
        }
      } catch (e) {
        if (current()) setError(asError(e));
      } finally {
        if (current()) setLoading(false);
      }
    },
    [client, live, threadId, limit, markRead] // eslint-disable-line react-hooks/exhaustive-deps
  );

  useEffect(() => {
    count.current = 0;
    setThread(undefined);
    setMessages([]);
    void load(false);
  }, [load]);
  useLiveRefetch(
    (e) => {
      // Its own mark-read needs no refetch; a reply sent from this page does.
      if (!threadId || (e.local && e.event === 'thread.updated')) return false;
      if (e.event === 'resync') return true;
      return (e.event === 'message.created' || e.event === 'thread.updated') && e.data.threadId === threadId;
    },
    () => load(true)
  );

  const loadOlder = useCallback(async () => {
    if (!threadId || !olderCursor) return;
    const current = begin();
    try {
      const page = await client.threads.messages(threadId, { before: olderCursor, limit });
      if (!current()) return;
      setMessages((m) => {
        count.current = page.data.length + m.length;
        return [...page.data, ...m];
      });
      setOlderCursor(page.meta.olderCursor);
    } catch (e) {
      if (current()) setError(asError(e));
    }
  }, [client, threadId, olderCursor, limit, begin]);

  return { thread, messages, loading, error, hasOlder: olderCursor !== null, loadOlder, refresh: useCallback(() => load(true), [load]) };
};

/** The unread counts (`threads`, `messages`), as the stream tells them (or polling, without one). */
export const useUnreadCount = () => {
  const { client } = useShared();
  const [count, setCount] = useState<UnreadCount | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<PrivateMessagesError | undefined>();
  const begin = useLatest();
  const load = useCallback(async () => {
    const current = begin();
    try {
      const { data } = await client.unreadCount();
      if (!current()) return;
      setCount(data);
      setError(undefined);
    } catch (e) {
      if (current()) setError(asError(e));
    } finally {
      if (current()) setLoading(false);
    }
  }, [client, begin]);
  useEffect(() => void load(), [load]);
  useLiveRefetch(
    (e) => {
      if (e.event === 'unread-count') {
        begin(); // an answer still on its way is older than this
        // The stream's event carries the same counts as GET /unread-count.
        setCount(e.data);
        setLoading(false);
        return false;
      }
      return e.event === 'resync' || Boolean(e.local);
    },
    load
  );
  return { count, loading, error, refresh: load };
};

/**
 * Starting threads and replying: `send(newThread)` / `reply(threadId, body)` resolve to the answer's
 * `data`, or undefined when refused, with the refusal in `error` (`error.refused`: each recipient and
 * why). Lists and the thread refresh at once, without waiting for the stream.
 */
export const useSend = () => {
  const { client, live } = useShared();
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<PrivateMessagesError | undefined>();
  const run = useCallback(
    async <T>(write: () => Promise<T>, threadIdOf: (result: T) => string) => {
      setSending(true);
      setError(undefined);
      try {
        const result = await write();
        live.emit({ event: 'message.created', id: undefined, data: { threadId: threadIdOf(result), messageId: '' }, local: true } as LiveEvent);
        return result;
      } catch (e) {
        setError(asError(e));
        return undefined;
      } finally {
        setSending(false);
      }
    },
    [live]
  );
  const send = useCallback(
    (body: NewThread) => run(() => client.threads.create(body).then((r) => r.data), (d) => d.thread.id),
    [client, run]
  );
  const reply = useCallback(
    (threadId: string, body: Reply) => run(() => client.threads.reply(threadId, body).then((r) => r.data), () => threadId),
    [client, run]
  );
  return { send, reply, sending, error, reset: useCallback(() => setError(undefined), []) };
};
