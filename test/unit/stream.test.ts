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
    expect(parseEventId('abc123.42')).toEqual({ instance: 'abc123', seq: 42 });
    for (const bad of ['', '42', 'abc.', 'ABC.1', 'a.1.2', 'a.-1', undefined, 7]) expect(parseEventId(bad)).toBeNull();
  });
});

describe('replay buffer', () => {
  it('replays after an id it still covers, and refuses older ones', () => {
    const buffer = new ReplayBuffer(2, 10);
    const ev = (n: number) => ({ id: `i.${n}`, event: 'resync' as const, data: {} });
    buffer.push(11, ev(11));
    buffer.push(12, ev(12));
    expect(buffer.after(10)!.map((e) => e.id)).toEqual(['i.11', 'i.12']);
    buffer.push(13, ev(13));
    expect(buffer.after(10)).toBeNull();
    expect(buffer.after(11)!.map((e) => e.id)).toEqual(['i.12', 'i.13']);
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
    expect(hub.refusal(3)).toBe('total');
    hub.close(a);
    hub.close(a);
    expect(hub.openStreams).toBe(2);
    expect(hub.refusal(1)).toBeNull();
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
    expect(hub.open(1, stranger, 'zzz.1').needsUnreadCount).toBe(true);
    expect(eventsIn(stranger.chunks).map((e) => e.event)).toEqual(['resync']);
  });

  it('resyncs everyone after a gap, and forgets idle users after replaySeconds', () => {
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
    hub.heartbeat(Date.now() + 1500);
    expect(hub.followedUserIds()).toEqual([5]);
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
    expect(chooseAdapter(defaultRealtimeConfig, 'sqlite')).toBe('memory');
    expect(chooseAdapter(defaultRealtimeConfig, 'postgres')).toBe('postgres');
    expect(chooseAdapter(defaultRealtimeConfig, 'mysql')).toBe('poll');
    expect(chooseAdapter({ ...defaultRealtimeConfig, redis: { url: 'redis://x', channel: 'c' } }, 'postgres')).toBe('redis');
    expect(chooseAdapter({ ...defaultRealtimeConfig, adapter: 'poll' }, 'postgres')).toBe('poll');
  });

  it('validates the realtime configuration with bounds', () => {
    expect(resolveRealtimeConfig({}).maxStreamsPerUser).toBe(5);
    expect(resolveRealtimeConfig({ realtime: { recheckSeconds: 10 } }).recheckSeconds).toBe(10);
    expect(() => resolveRealtimeConfig({ realtime: { recheckSeconds: 120 } })).toThrow(/recheckSeconds/);
    expect(() => resolveRealtimeConfig({ realtime: { adapter: 'kafka' } })).toThrow(/adapter/);
    expect(() => resolveRealtimeConfig({ realtime: { postgres: { channel: 'x; drop table' } } })).toThrow(/channel/);
  });
});
