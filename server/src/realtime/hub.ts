import { randomBytes } from 'node:crypto';
import { ReplayBuffer } from './replay';
import { formatComment, formatEvent, formatRetry, parseEventId, type StreamEvent, type StreamEventName } from './sse';

/** What the hub needs of an open response: a writable that says when it is full, and a way to end it. */
export type StreamSink = {
  write(chunk: string): boolean;
  /** Bytes written but not yet taken by the socket. */
  readonly writableLength: number;
  end(): void;
};

export type Connection = { id: number; userId: number; sink: StreamSink; expiryTimer: NodeJS.Timeout | null; closed: boolean };

type UserEntry = {
  connections: Set<Connection>;
  buffer: ReplayBuffer;
  /** When the last stream closed: the user is still followed (for replay) until replaySeconds after. */
  idleSince: number | null;
  /** The last unread count sent, as JSON: an unchanged one is not sent again. */
  lastUnread: string | null;
};

export type HubLimits = { maxStreamsPerUser: number; maxStreams: number; replayEvents: number; replaySeconds: number; retryMs: number };

/** A client that has not taken this much of what was written is too slow: its stream is closed (it reconnects and replays). */
const SLOW_CONSUMER_BYTES = 1 << 20;
/** setTimeout's longest delay; a later expiry is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The streams open on this instance, by user, and what each user was sent (ReplayBuffer). Event
 * ids are `<instance>.<sequence>`: the sequence grows on this instance only, so an id from another
 * instance (or from before a restart) is never mistaken for one of ours and is answered `resync`.
 * Pure bookkeeping: who may receive what is decided before `send` (services/stream.ts).
 */
export class StreamHub {
  readonly instance = randomBytes(6).toString('hex');
  private seq = 0;
  private nextConnectionId = 1;
  private readonly users = new Map<number, UserEntry>();
  private total = 0;

  constructor(private readonly limits: HubLimits) {}

  get openStreams() {
    return this.total;
  }

  /** Why one more stream for this user would be refused, or null. */
  refusal(userId: number): 'user' | 'total' | null {
    if (this.total >= this.limits.maxStreams) return 'total';
    if ((this.users.get(userId)?.connections.size ?? 0) >= this.limits.maxStreamsPerUser) return 'user';
    return null;
  }

  private entry(userId: number) {
    let entry = this.users.get(userId);
    if (!entry) {
      entry = { connections: new Set(), buffer: new ReplayBuffer(this.limits.replayEvents, this.seq), idleSince: null, lastUnread: null };
      this.users.set(userId, entry);
    }
    return entry;
  }

  /**
   * Registers a stream and writes its first lines: the reconnect delay, then what it missed after
   * `lastEventId` (or `resync` when that cannot be told). Answers whether a fresh unread count
   * should follow (a first connection, or after a resync).
   */
  open(userId: number, sink: StreamSink, lastEventId: unknown, onExpiry?: { at: number | null; expire: (c: Connection) => void }) {
    const entry = this.entry(userId);
    const connection: Connection = { id: this.nextConnectionId++, userId, sink, expiryTimer: null, closed: false };
    entry.connections.add(connection);
    entry.idleSince = null;
    this.total += 1;
    sink.write(formatRetry(this.limits.retryMs) + formatComment('connected'));
    if (onExpiry?.at != null) this.armExpiry(connection, onExpiry.at, onExpiry.expire);

    if (lastEventId === undefined || lastEventId === null || lastEventId === '') return { connection, needsUnreadCount: true };
    const last = parseEventId(lastEventId);
    const missed = last && last.instance === this.instance ? entry.buffer.after(last.seq) : null;
    if (missed === null) {
      this.write(connection, this.stamp({ event: 'resync', data: {} }));
      return { connection, needsUnreadCount: true };
    }
    for (const event of missed) this.write(connection, event);
    return { connection, needsUnreadCount: false };
  }

  private armExpiry(connection: Connection, at: number, expire: (c: Connection) => void) {
    const delay = at - Date.now();
    connection.expiryTimer = setTimeout(
      () => (delay > MAX_TIMER_MS ? this.armExpiry(connection, at, expire) : expire(connection)),
      Math.max(0, Math.min(delay, MAX_TIMER_MS))
    );
    connection.expiryTimer.unref?.();
  }

  /** Forgets a stream (its response closed, or we closed it). Idempotent. */
  close(connection: Connection) {
    if (connection.closed) return;
    connection.closed = true;
    if (connection.expiryTimer) clearTimeout(connection.expiryTimer);
    connection.expiryTimer = null;
    const entry = this.users.get(connection.userId);
    if (entry?.connections.delete(connection)) {
      this.total -= 1;
      if (entry.connections.size === 0) entry.idleSince = Date.now();
    }
    try {
      connection.sink.end();
    } catch {
      // Already destroyed with its socket.
    }
  }

  /** Sends `reauth`, or just ends, then closes: the credential expired or the user may no longer listen. */
  end(connection: Connection, withReauth: boolean) {
    if (connection.closed) return;
    if (withReauth) this.write(connection, this.stamp({ event: 'reauth', data: {} }));
    this.close(connection);
  }

  /** Every stream of these users ends, and what was kept for them is forgotten. */
  endUsers(userIds: Iterable<number>, withReauth = false) {
    for (const userId of userIds) {
      const entry = this.users.get(userId);
      if (!entry) continue;
      for (const connection of [...entry.connections]) this.end(connection, withReauth);
      this.users.delete(userId);
    }
  }

  private stamp(event: Omit<StreamEvent, 'id'>): StreamEvent {
    this.seq += 1;
    return { id: `${this.instance}.${this.seq}`, ...event };
  }

  private write(connection: Connection, event: StreamEvent) {
    if (connection.closed) return;
    connection.sink.write(formatEvent(event));
    if (connection.sink.writableLength > SLOW_CONSUMER_BYTES) this.close(connection);
  }

  /** Sends an event to every stream of a followed user and keeps it for replay. */
  send(userId: number, event: StreamEventName, data: Record<string, unknown>) {
    const entry = this.users.get(userId);
    if (!entry) return;
    if (event === 'unread-count') {
      const json = JSON.stringify(data);
      if (json === entry.lastUnread) return;
      entry.lastUnread = json;
    }
    const stamped = this.stamp({ event, data });
    entry.buffer.push(this.seq, stamped);
    for (const connection of [...entry.connections]) this.write(connection, stamped);
  }

  /** An event for one stream only (its first unread count), not kept for replay. */
  sendTo(connection: Connection, event: StreamEventName, data: Record<string, unknown>) {
    this.write(connection, this.stamp({ event, data }));
  }

  /**
   * Events may have been missed (the bus was cut off): every followed user's streams get
   * `resync`, and replay from before it is no longer offered.
   */
  resyncAll() {
    for (const [userId, entry] of this.users) {
      entry.lastUnread = null;
      entry.buffer.reset(this.seq);
      this.send(userId, 'resync', {});
    }
  }

  /** Users with a stream open here, and users whose last stream closed less than replaySeconds ago. */
  followedUserIds() {
    return [...this.users.keys()];
  }

  connectedUserIds() {
    return [...this.users].filter(([, e]) => e.connections.size > 0).map(([id]) => id);
  }

  /** A comment on every stream (proxies close idle ones); forgets users idle past replaySeconds. */
  heartbeat(now = Date.now()) {
    const comment = formatComment('heartbeat');
    for (const [userId, entry] of this.users) {
      if (entry.connections.size === 0 && entry.idleSince !== null && now - entry.idleSince >= this.limits.replaySeconds * 1000) {
        this.users.delete(userId);
        continue;
      }
      for (const connection of [...entry.connections]) {
        if (connection.closed) continue;
        connection.sink.write(comment);
        if (connection.sink.writableLength > SLOW_CONSUMER_BYTES) this.close(connection);
      }
    }
  }

  /** Ends every stream (shutdown). */
  closeAll() {
    this.endUsers([...this.users.keys()]);
    this.users.clear();
  }
}
