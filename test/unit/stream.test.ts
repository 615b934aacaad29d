import { chooseAdapter } from '../../server/src/realtime/bus';
import { coalescer, parseEnvelope } from '../../server/src/realtime/bus/types';
import { StreamHub, type StreamSink } from '../../server/src/realtime/hub';
import { ReplayBuffer } from '../../server/src/realtime/replay';
import { formatComment, formatEvent, parseEventId } from '../../server/src/realtime/sse';
import { defaultRealtimeConfig } from '../../server/src/config/defaults';
import { resolveRealtimeConfig } from '../../server/src/config/resolve';

const sink = () => {
  const chunks: string[] = [];
  const s: StreamSink & { chunks: string[]; ended: boolean } = {
    chunks,
    ended: false,
    writableLength: 0,
    write: (c: string) => (chunks.push(c), true),
    end() {
      s.ended = true;
    },
  };
  return s;
};
const eventsIn = (chunks: string[]) =>
  chunks
    .join('')
    .split('\n\n')
    .filter((block) => block.includes('event: '))
    .map((block) => ({ id: /id: (.*)/.exec(block)?.[1], event: /event: (.*)/.exec(block)![1], data: JSON.parse(/data: (.*)/.exec(block)![1]) }));

const limits = { maxStreamsPerUser: 2, maxStreams: 3, replayEvents: 3, replaySeconds: 60, retryMs: 3000 };

describe('SSE framing', () => {
  it('writes id, event and one-line JSON data, and comments without line breaks', () => {
    expect(formatEvent({ id: 'a.1', event: 'resync', data: {} })).toBe('id: a.1\nevent: resync\ndata: {}\n\n');
    expect(formatEvent({ id: 'a.2', event: 'thread.updated', data: { threadId: 'x\ny' } })).toBe('id: a.2\nevent: thread.updated\ndata: {"threadId":"x\\ny"}\n\n');
    expect(formatComment('a\nb')).toBe(': a b\n\n');
  });

  it('reads only its own id format back', () => {
    const resume = 'Ab-_cdefghijklmnopqrstu';
    expect(parseEventId(`${resume.slice(1)}.0123456789ab.42`)).toEqual({ resume: resume.slice(1), epoch: '0123456789ab', seq: 42 });
    for (const bad of ['', '42', 'abc123.42', `${resume}.0123456789ab.1`, `${resume.slice(1)}.0123456789AB.1`, `${resume.slice(1)}.0123456789ab.-1`, undefined, 7]) {
      expect(parseEventId(bad)).toBeNull();
    }
  });
});

describe('replay buffer', () => {
  it('replays after an id it still covers, and refuses older ones', () => {
    const buffer = new ReplayBuffer(2, 10);
    const ev = (seq: number) => ({ seq, event: 'resync' as const, data: {} });
    buffer.push(ev(11));
    buffer.push(ev(12));
    expect(buffer.after(10)!.map((e) => e.seq)).toEqual([11, 12]);
    buffer.push(ev(13));
    expect(buffer.after(10)).toBeNull();
    expect(buffer.after(11)!.map((e) => e.seq)).toEqual([12, 13]);
    buffer.reset(13);
    expect(buffer.after(12)).toBeNull();
    expect(buffer.after(13)).toEqual([]);
  });
});

describe('stream hub', () => {
  it('caps streams per user and in total, and frees a slot on close', () => {
    const hub = new StreamHub(limits);
    const a = hub.open(1, sink(), undefined).connection;
    hub.open(1, sink(), undefined);
    expect(hub.refusal(1)).toBe('user');
    hub.open(2, sink(), undefined);
    hub.open(3, sink(), undefined);
    expect(hub.openStreams).toBe(4);
    hub.close(a);
    hub.close(a);
    expect(hub.openStreams).toBe(3);
    // Full, and everyone holds no more than one stream more than user 4 would: no room for them.
    expect(hub.refusal(4)).toBe('total');
    expect(hub.admit(4)).toBe('total');
    expect(hub.refusal(1)).toBe('total');
  });

  it('keeps a fair share of a full instance for every user: extra tabs give way to a first stream', () => {
    const hub = new StreamHub({ ...limits, maxStreamsPerUser: 3, maxStreams: 4 });
    const greedy = [sink(), sink(), sink()];
    for (const s of greedy) hub.open(1, s, undefined);
    hub.open(2, sink(), undefined);
    // Full: user 3 (no stream) still gets in; the greedy user's oldest stream ends.
    expect(hub.admit(3)).toBeNull();
    hub.open(3, sink(), undefined);
    expect(greedy.map((s) => s.ended)).toEqual([true, false, false]);
    expect(hub.openStreams).toBe(4);
    // Now 2, 1, 1: a second stream for user 2 would only swap who holds two.
    expect(hub.admit(2)).toBe('total');
    expect(hub.admit(4)).toBeNull();
    expect(greedy.map((s) => s.ended)).toEqual([true, true, false]);
  });

  it('numbers each user\'s events in their own sequence: ids tell nothing of anyone else\'s events', () => {
    const hub = new StreamHub({ ...limits, maxStreams: 10 });
    const bob = sink();
    const carol = sink();
    const bobTab = hub.open(1, bob, undefined, { resume: 'B'.repeat(22) }).connection;
    hub.open(2, carol, undefined);
    hub.sendTo(bobTab, 'unread-count', { threads: 0, messages: 0 });
    // Carol's traffic and others connecting (their first unread count) between bob's events.
    for (let i = 0; i < 5; i += 1) hub.send(2, 'thread.updated', { threadId: `c${i}` });
    const dave = hub.open(3, sink(), undefined).connection;
    hub.sendTo(dave, 'unread-count', { threads: 0, messages: 0 });
    hub.send(1, 'message.created', { threadId: 't', messageId: 'm' });
    hub.send(1, 'thread.updated', { threadId: 't' });
    const bobIds = eventsIn(bob.chunks).map((e) => parseEventId(e.id)!);
    expect(bobIds.map((id) => id.seq)).toEqual([1, 2, 3]);
    expect(new Set(bobIds.map((id) => `${id.resume}.${id.epoch}`))).toEqual(new Set([`${'B'.repeat(22)}.${bobIds[0].epoch}`]));
    // The position written on connecting is bob's own, before anything was sent to him.
    expect(bob.chunks.join('')).toContain(`id: ${'B'.repeat(22)}.${bobIds[0].epoch}.0\n\n`);
    const carolIds = eventsIn(carol.chunks).map((e) => parseEventId(e.id)!);
    expect(carolIds.map((id) => id.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(carolIds[0].epoch).not.toBe(bobIds[0].epoch);
    expect(carolIds[0].resume).not.toBe(bobIds[0].resume);
    // Carol's id on bob's stream is not a position in bob's sequence: resync.
    const mixed = sink();
    hub.open(1, mixed, eventsIn(carol.chunks)[0].id);
    expect(eventsIn(mixed.chunks).map((e) => e.event)).toEqual(['resync']);
  });

  it('sends each user only their events, skips an unchanged unread count, replays after Last-Event-ID', () => {
    const hub = new StreamHub(limits);
    const s1 = sink();
    const s2 = sink();
    const first = hub.open(1, s1, undefined).connection;
    hub.open(2, s2, undefined);
    hub.send(1, 'message.created', { threadId: 't', messageId: 'm' });
    hub.send(1, 'unread-count', { threads: 1, messages: 1 });
    hub.send(1, 'unread-count', { threads: 1, messages: 1 });
    expect(eventsIn(s1.chunks).map((e) => e.event)).toEqual(['message.created', 'unread-count']);
    expect(eventsIn(s2.chunks)).toEqual([]);
    const lastId = eventsIn(s1.chunks)[0].id;
    hub.close(first);
    hub.send(1, 'thread.updated', { threadId: 't' });

    const again = sink();
    expect(hub.open(1, again, lastId).needsUnreadCount).toBe(false);
    expect(eventsIn(again.chunks).map((e) => e.event)).toEqual(['unread-count', 'thread.updated']);
    const stranger = sink();
    expect(hub.open(1, stranger, `${'z'.repeat(22)}.ffffffffffff.1`).needsUnreadCount).toBe(true);
    expect(eventsIn(stranger.chunks).map((e) => e.event)).toEqual(['resync']);
  });

  it('resyncs everyone after a gap, and forgets idle users after replaySeconds', async () => {
    const hub = new StreamHub({ ...limits, replaySeconds: 1 });
    const s = sink();
    const c = hub.open(1, s, undefined).connection;
    hub.send(1, 'thread.updated', { threadId: 't' });
    const before = eventsIn(s.chunks)[0].id;
    hub.resyncAll();
    expect(eventsIn(s.chunks).map((e) => e.event)).toEqual(['thread.updated', 'resync']);
    const replay = sink();
    hub.open(1, replay, before);
    expect(eventsIn(replay.chunks).map((e) => e.event)).toEqual(['resync']);
    hub.close(c);
    hub.endUsers([]);
    expect(hub.followedUserIds()).toEqual([1]);
    hub.closeAll();
    expect(hub.followedUserIds()).toEqual([]);
    hub.open(5, sink(), undefined).connection;
    const idle = hub.open(6, sink(), undefined).connection;
    hub.close(idle);
    await hub.heartbeat(Date.now() + 1500);
    expect(hub.followedUserIds()).toEqual([5]);
  });
});

describe('the heartbeat', () => {
  it('gives the event loop a turn every 500 streams, and reaches every stream', async () => {
    const hub = new StreamHub({ ...limits, maxStreams: 2000, maxStreamsPerUser: 2000 });
    const sinks = Array.from({ length: 1200 }, (_, i) => sink());
    sinks.forEach((s, i) => hub.open(i % 300, s, undefined));
    const heard = () => sinks.filter((s) => s.chunks.some((c) => c.includes('heartbeat'))).length;
    const done = hub.heartbeat();
    expect(heard()).toBe(500);
    await done;
    expect(heard()).toBe(1200);
    hub.closeAll();
  });
});

describe('bus helpers', () => {
  it('coalesces facts into payloads under the size limit', () => {
    jest.useFakeTimers();
    const sent: string[][] = [];
    const c = coalescer(25, 60, (p) => sent.push(p), 'origin');
    for (let i = 0; i < 6; i += 1) c.add({ t: 'r', u: i });
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(30);
    jest.useRealTimers();
    expect(sent).toHaveLength(1);
    const payloads = sent[0];
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(p.length).toBeLessThanOrEqual(60);
    expect(payloads.flatMap((p) => parseEnvelope(p)!.f)).toEqual([0, 1, 2, 3, 4, 5].map((u) => ({ t: 'r', u })));
    expect(parseEnvelope('not json')).toBeNull();
  });

  it('picks the adapter of the database unless told, Redis when a URL is set', () => {
    // What the dialect answers for SQLite, PostgreSQL and MySQL/MariaDB (test/unit/dialect.test.ts).
    const sqlite = { listenNotify: false, sharedByProcesses: false };
    const postgres = { listenNotify: true, sharedByProcesses: true };
    const mysql = { listenNotify: false, sharedByProcesses: true };
    expect(chooseAdapter(defaultRealtimeConfig, sqlite)).toBe('memory');
    expect(chooseAdapter(defaultRealtimeConfig, postgres)).toBe('postgres');
    expect(chooseAdapter(defaultRealtimeConfig, mysql)).toBe('poll');
    expect(chooseAdapter({ ...defaultRealtimeConfig, redis: { url: 'redis://x', channel: 'c' } }, postgres)).toBe('redis');
    expect(chooseAdapter({ ...defaultRealtimeConfig, adapter: 'poll' }, postgres)).toBe('poll');
  });

  it('validates the realtime configuration with bounds', () => {
    expect(resolveRealtimeConfig({}).maxStreamsPerUser).toBe(5);
    expect(resolveRealtimeConfig({ realtime: { recheckSeconds: 10 } }).recheckSeconds).toBe(10);
    expect(() => resolveRealtimeConfig({ realtime: { recheckSeconds: 120 } })).toThrow(/recheckSeconds/);
    expect(() => resolveRealtimeConfig({ realtime: { adapter: 'kafka' } })).toThrow(/adapter/);
    expect(() => resolveRealtimeConfig({ realtime: { postgres: { channel: 'x; drop table' } } })).toThrow(/channel/);
  });
});
