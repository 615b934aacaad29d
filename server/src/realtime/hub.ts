import { randomBytes } from 'node:crypto';
import { ReplayBuffer } from './replay';
import { formatComment, formatEvent, formatPosition, formatRetry, parseEventId, type SequencedEvent, type StreamEventName } from './sse';

/** What the hub needs of an open response: a writable that says when it is full, and a way to end it. */
export type StreamSink = {
  write(chunk: string): boolean;
  /** Bytes written but not yet taken by the socket. */
  readonly writableLength: number;
  end(): void;
};

/** An open response the hub may write to, and when it is gone (controllers/stream-response.ts). */
export type StreamResponse = { sink: StreamSink; onClose(listener: () => void): void; readonly gone: boolean };

/** `resume`: the first part of every id this stream is sent (a ticket's resume secret, else random). */
export type Connection = { id: number; userId: number; sink: StreamSink; resume: string; expiryTimer: NodeJS.Timeout | null; closed: boolean };

type UserEntry = {
  connections: Set<Connection>;
  /** Random, new each time the user is followed again: an id from before (or another instance) is not ours. */
  epoch: string;
  /** This user's last event number: it counts their own events only. */
  seq: number;
  buffer: ReplayBuffer;
  /** When the last stream closed: the user is still followed (for replay) until replaySeconds after. */
  idleSince: number | null;
  /** The last unread count sent, as JSON: an unchanged one is not sent again. */
  lastUnread: string | null;
};

export type HubLimits = { maxStreamsPerUser: number; maxStreams: number; replayEvents: number; replaySeconds: number; retryMs: number };

/** A client that has not taken this much of what was written is too slow: its stream is closed (it reconnects and replays). */
const SLOW_CONSUMER_BYTES = 1 << 20;
/** Heartbeats written before the event loop gets a turn. */
const HEARTBEAT_SLICE = 500;
/** setTimeout's longest delay; a later expiry is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The streams open on this instance, by user, and what each user was sent (ReplayBuffer). Event
 * ids are `<resume>.<epoch>.<sequence>`, and none of it is shared between users: the sequence
 * counts the user's own events (a gap never tells of anyone else's: who is online, who blocked
 * them, how many others a broadcast reached), the epoch is random per user and instance (an id
 * from another instance, or from before a restart or a pause longer than replaySeconds, is never
 * mistaken for one of ours and is answered `resync`), and the resume part is the stream's own
 * (services/stream-tickets.ts). Pure bookkeeping: who may receive what is decided before `send`
 * (services/stream.ts).
 */
export class StreamHub {
  /** Names this instance on the bus (never in an event id). */
  readonly instance = randomBytes(6).toString('hex');
  private nextConnectionId = 1;
  private readonly users = new Map<number, UserEntry>();
  private total = 0;

  constructor(private readonly limits: HubLimits) {}

  get openStreams() {
    return this.total;
  }

  /** Why one more stream for this user would be refused now, or null. */
  refusal(userId: number): 'user' | 'total' | null {
    const held = this.users.get(userId)?.connections.size ?? 0;
    if (held >= this.limits.maxStreamsPerUser) return 'user';
    if (this.total < this.limits.maxStreams) return null;
    return this.fullest(held + 2) ? null : 'total';
  }

  /**
   * Like `refusal`, and makes the room it counted on: on a full instance, a user holding fewer
   * streams than another by two or more still gets in, and the oldest stream of the user holding
   * the most ends (its client reconnects, and hears 429 while the instance stays full). So each
   * user keeps a fair share, min(maxStreamsPerUser, maxStreams / users), and accounts opening
   * many tabs cannot lock others out: only as many users as maxStreams can fill an instance.
   */
  admit(userId: number): 'user' | 'total' | null {
    const refusal = this.refusal(userId);
    if (refusal || this.total < this.limits.maxStreams) return refusal;
    const held = this.users.get(userId)?.connections.size ?? 0;
    const [oldest] = this.fullest(held + 2)!.connections;
    this.close(oldest);
    return null;
  }

  /** A user holding at least `streams` streams, the most of anyone (a scan, only when the instance is full). */
  private fullest(streams: number) {
    let found: UserEntry | null = null;
    for (const entry of this.users.values()) {
      if (entry.connections.size >= streams && entry.connections.size > (found?.connections.size ?? 0)) found = entry;
    }
    return found;
  }

  private entry(userId: number) {
    let entry = this.users.get(userId);
    if (!entry) {
      entry = { connections: new Set(), epoch: randomBytes(6).toString('hex'), seq: 0, buffer: new ReplayBuffer(this.limits.replayEvents, 0), idleSince: null, lastUnread: null };
      this.users.set(userId, entry);
    }
    return entry;
  }

  /**
   * Registers a stream and writes its first lines: the reconnect delay, what it missed after
   * `lastEventId` (or `resync` when that cannot be told), then its position (an id alone), so
   * that a reconnect resumes from here even before any event came. Answers whether a fresh unread
   * count should follow (a first connection, or after a resync).
   */
  open(
    userId: number,
    sink: StreamSink,
    lastEventId: unknown,
    options: { resume?: string; expiry?: { at: number | null; expire: (c: Connection) => void } } = {}
  ) {
    const entry = this.entry(userId);
    const resume = options.resume ?? randomBytes(16).toString('base64url');
    const connection: Connection = { id: this.nextConnectionId++, userId, sink, resume, expiryTimer: null, closed: false };
    entry.connections.add(connection);
    entry.idleSince = null;
    this.total += 1;
    sink.write(formatRetry(this.limits.retryMs) + formatComment('connected'));
    if (options.expiry?.at != null) this.armExpiry(connection, options.expiry.at, options.expiry.expire);

    let needsUnreadCount = true;
    if (lastEventId !== undefined && lastEventId !== null && lastEventId !== '') {
      const last = parseEventId(lastEventId);
      const missed = last && last.epoch === entry.epoch ? entry.buffer.after(last.seq) : null;
      if (missed === null) this.write(connection, this.stamp(entry, 'resync', {}));
      else {
        for (const event of missed) this.write(connection, event);
        needsUnreadCount = false;
      }
    }
    if (!connection.closed) sink.write(formatPosition(this.idOf(connection, entry.seq)));
    return { connection, needsUnreadCount };
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
    const entry = this.users.get(connection.userId);
    if (withReauth && entry) this.write(connection, this.stamp(entry, 'reauth', {}));
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

  private stamp(entry: UserEntry, event: StreamEventName, data: Record<string, unknown>): SequencedEvent {
    entry.seq += 1;
    return { seq: entry.seq, event, data };
  }

  private idOf(connection: Connection, seq: number) {
    return `${connection.resume}.${this.users.get(connection.userId)?.epoch ?? '000000000000'}.${seq}`;
  }

  private write(connection: Connection, event: SequencedEvent) {
    if (connection.closed) return;
    connection.sink.write(formatEvent({ id: this.idOf(connection, event.seq), event: event.event, data: event.data }));
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
    const stamped = this.stamp(entry, event, data);
    entry.buffer.push(stamped);
    for (const connection of [...entry.connections]) this.write(connection, stamped);
  }

  /** An event for one stream only (its first unread count), not kept for replay. */
  sendTo(connection: Connection, event: StreamEventName, data: Record<string, unknown>) {
    const entry = this.users.get(connection.userId);
    if (entry && !connection.closed) this.write(connection, this.stamp(entry, event, data));
  }

  /**
   * Events may have been missed (the bus was cut off): every followed user's streams get
   * `resync`, and replay from before it is no longer offered.
   */
  resyncAll() {
    for (const [userId, entry] of this.users) {
      entry.lastUnread = null;
      entry.buffer.reset(entry.seq);
      this.send(userId, 'resync', {});
    }
  }

  /** Users with a stream open here, and users whose last stream closed less than replaySeconds ago. */
  followedUserIds() {
    return [...this.users.keys()];
  }

  isFollowed(userId: number) {
    return this.users.has(userId);
  }

  connectedUserIds() {
    return [...this.users].filter(([, e]) => e.connections.size > 0).map(([id]) => id);
  }

  /**
   * A comment on every stream (proxies close idle ones); forgets users idle past replaySeconds.
   * Ten thousand writes at once would hold the event loop: the loop gets a turn after every
   * HEARTBEAT_SLICE of them.
   */
  async heartbeat(now = Date.now()) {
    const comment = formatComment('heartbeat');
    let written = 0;
    for (const [userId, entry] of [...this.users]) {
      if (entry.connections.size === 0 && entry.idleSince !== null && now - entry.idleSince >= this.limits.replaySeconds * 1000) {
        if (this.users.get(userId) === entry) this.users.delete(userId);
        continue;
      }
      for (const connection of [...entry.connections]) {
        if (connection.closed) continue;
        connection.sink.write(comment);
        if (connection.sink.writableLength > SLOW_CONSUMER_BYTES) this.close(connection);
        written += 1;
        if (written % HEARTBEAT_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  /** Ends every stream (shutdown). */
  closeAll() {
    this.endUsers([...this.users.keys()]);
    this.users.clear();
  }
}
