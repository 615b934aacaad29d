import v8 from 'node:v8';
import vm from 'node:vm';
import { as, reply, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { listen, openStream, streamIdle, type SseClient } from '../helpers/sse';
import { createRole, grant, pluginActions, revoke, setRole } from '../helpers/users';

/*
 * GET /stream with a real Strapi: who hears of what (the REST visibility rule), credentials,
 * replay. Every stream a test opens is closed by it.
 */
const ctx = useStrapi({
  env: { PM_REALTIME: JSON.stringify({ recheckSeconds: 1, heartbeatSeconds: 5, maxStreamsPerUser: 3, ticketsPerMinute: 5, maxTicketsPerUser: 3 }) },
});
const EVENT_ID = /^[A-Za-z0-9_-]{22}\.[a-f0-9]{12}\.\d+$/;
const seqOf = (id: string | undefined) => Number(id!.split('.')[2]);
const prefixOf = (id: string | undefined) => id!.split('.').slice(0, 2).join('.');
const ticketFor = async (user: Parameters<typeof as>[1]) => (await as(ctx.strapi, user).post('/stream/tickets').expect(200)).body.data.ticket as string;
let base: string;
const open: SseClient[] = [];
const connect = async (options: Parameters<typeof openStream>[1]) => {
  const client = await openStream(base, options);
  open.push(client);
  return client;
};
const ready = (c: SseClient) => c.next((e) => e.event === 'unread-count');
/** What the tab was sent after its first `from` events, once the stream has handled everything so far. */
const sentSince = async (c: SseClient, from: number, name?: string) => {
  await streamIdle(ctx.strapi);
  return c.since(from, name);
};

beforeAll(async () => {
  base = await listen(ctx.strapi);
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

describe('GET /stream', () => {
  it('answers 401 without a credential, and 403 to a role without stream.connect', async () => {
    const none = await connect({});
    expect(none.status).toBe(401);
    const bad = await connect({ ticket: 'x'.repeat(43) });
    expect(bad.status).toBe(401);

    const role = await createRole(ctx.strapi, `NoStream ${Date.now()}`);
    await grant(ctx.strapi, role.id, pluginActions(ctx.strapi).filter((a) => !a.endsWith('stream.connect')));
    const [user] = await ctx.users(1);
    await setRole(ctx.strapi, user.id, role.id);
    const refused = await connect({ jwt: user.jwt });
    expect(refused.status).toBe(403);
    // A ticket stands for the user: their role still decides.
    const { ticket } = (await as(ctx.strapi, user).post('/stream/tickets').expect(200)).body.data;
    expect((await connect({ ticket })).status).toBe(403);
  });

  it('tells the recipient and the author\'s other tabs, with ids and counters only; a third user hears nothing', async () => {
    const [alice, bob, carol] = await ctx.users(3);
    const [aliceTab, bobTab, carolTab] = await Promise.all([connect({ jwt: alice.jwt }), connect({ jwt: bob.jwt }), connect({ jwt: carol.jwt })]);
    expect(bobTab.status).toBe(200);
    expect((await ready(bobTab)).data).toEqual({ threads: 0, messages: 0, requests: 0 });
    await Promise.all([ready(aliceTab), ready(carolTab)]);
    const carolMark = carolTab.events.length;

    const { thread, message } = await startThread(ctx.strapi, alice, [bob]);
    const created = await bobTab.next((e) => e.event === 'message.created');
    expect(created.data).toEqual({ threadId: thread.id, messageId: message.id });
    expect(created.id).toMatch(EVENT_ID);
    expect((await bobTab.next((e) => e.event === 'unread-count' && e.data.messages === 1)).data).toEqual({ threads: 1, messages: 1, requests: 0 });
    expect((await aliceTab.next((e) => e.event === 'message.created')).data).toEqual({ threadId: thread.id, messageId: message.id });
    expect(await sentSince(carolTab, carolMark)).toEqual([]);
  });

  it('keeps a thread a member left, a blocked author\'s messages and a removed thread\'s past to themselves', async () => {
    const [alice, bob, dave, erin] = await ctx.users(4);
    const { thread, message: first } = await startThread(ctx.strapi, alice, [bob, dave, erin], { subject: 'group' });
    await as(ctx.strapi, dave).post('/blocks', { userId: alice.id }).expect(201);
    await as(ctx.strapi, erin).post(`/threads/${thread.id}/leave`).expect(204);
    await as(ctx.strapi, bob).del(`/threads/${thread.id}`).expect(204);
    const [bobTab, daveTab, erinTab] = await Promise.all([connect({ jwt: bob.jwt }), connect({ jwt: dave.jwt }), connect({ jwt: erin.jwt })]);
    await Promise.all([ready(bobTab), ready(daveTab), ready(erinTab)]);
    const [bobMark, erinMark] = [bobTab.events.length, erinTab.events.length];

    // The first message was before bob's removal: its deletion is nothing to him.
    await as(ctx.strapi, alice).del(`/messages/${first.id}`).expect(204);
    expect(await sentSince(bobTab, bobMark)).toEqual([]);
    // Dave saw that message (it came before he blocked alice): he is told of its deletion.
    expect(daveTab.since(0, 'thread.updated')).toEqual([expect.objectContaining({ data: { threadId: thread.id } })]);
    const daveMark = daveTab.events.length;

    const later = await reply(ctx.strapi, alice, thread.id, 'after all that');
    // Bob removed the thread; a new message brings it back, as GET /threads shows it.
    expect((await bobTab.next((e) => e.event === 'message.created')).data).toEqual({ threadId: thread.id, messageId: later.id });
    expect(await sentSince(daveTab, daveMark)).toEqual([]);
    expect(await sentSince(erinTab, erinMark)).toEqual([]);
    // Dave still hears of what bob writes.
    const fromBob = await reply(ctx.strapi, bob, thread.id, 'hi dave');
    expect((await daveTab.next((e) => e.event === 'message.created')).data.messageId).toBe(fromBob.id);
    expect(await sentSince(erinTab, erinMark)).toEqual([]);
  });

  it('a broadcast recipient\'s reply reaches the author alone', async () => {
    const role = await createRole(ctx.strapi, `Members ${Date.now()}`);
    await grant(ctx.strapi, role.id, pluginActions(ctx.strapi).filter((a) => !a.endsWith('deleted-message.view')));
    const [author, r1, r2] = await ctx.users(3);
    for (const u of [r1, r2]) await setRole(ctx.strapi, u.id, role.id);
    const { thread } = await startThread(ctx.strapi, author, [], { recipients: [{ type: 'role', id: role.id }] });
    const [authorTab, r1Tab, r2Tab] = await Promise.all([connect({ jwt: author.jwt }), connect({ jwt: r1.jwt }), connect({ jwt: r2.jwt })]);
    await Promise.all([ready(authorTab), ready(r1Tab), ready(r2Tab)]);
    const r2Mark = r2Tab.events.length;

    const answer = await reply(ctx.strapi, r1, thread.id, 'only for the author');
    expect((await authorTab.next((e) => e.event === 'message.created')).data.messageId).toBe(answer.id);
    expect(await sentSince(r2Tab, r2Mark, 'message.created')).toEqual([]);

    const fromAuthor = await reply(ctx.strapi, author, thread.id, 'for everyone');
    expect((await r2Tab.next((e) => e.event === 'message.created')).data.messageId).toBe(fromAuthor.id);
    expect((await r1Tab.next((e) => e.event === 'message.created' && e.data.messageId === fromAuthor.id)).data.threadId).toBe(thread.id);
  });

  it('tells a user\'s other tabs of read state and tags, with the new unread count', async () => {
    const [alice, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, alice, [bob]);
    const [tab1, tab2] = await Promise.all([connect({ jwt: bob.jwt }), connect({ jwt: bob.jwt })]);
    expect((await ready(tab2)).data).toEqual({ threads: 1, messages: 1, requests: 0 });
    await ready(tab1);
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/read`).expect(200);
    expect((await tab2.next((e) => e.event === 'thread.updated')).data).toEqual({ threadId: thread.id });
    expect((await tab2.next((e) => e.event === 'unread-count' && e.data.messages === 0)).data).toEqual({ threads: 0, messages: 0, requests: 0 });
    await as(ctx.strapi, bob).post('/threads/actions', { action: 'markUnread', threadIds: [thread.id] }).expect(200);
    await tab1.next((e) => e.event === 'unread-count' && e.data.messages === 1);
  });

  it('replays what a reconnecting client missed after Last-Event-ID, or answers resync', async () => {
    const [alice, bob] = await ctx.users(2);
    const first = await connect({ jwt: bob.jwt });
    await ready(first);
    const { thread, message } = await startThread(ctx.strapi, alice, [bob]);
    await first.next((e) => e.event === 'message.created');
    await first.next((e) => e.event === 'unread-count' && e.data.messages === 1);
    const lastId = first.lastEventId()!;
    first.close();
    await first.ended;

    const missed = await reply(ctx.strapi, alice, thread.id, 'while you were away');
    // The event is computed for bob although no stream of his is open.
    await streamIdle(ctx.strapi);
    const again = await connect({ jwt: bob.jwt, lastEventId: lastId });
    const replayed = await again.next((e) => e.event === 'message.created');
    expect(replayed.data).toEqual({ threadId: thread.id, messageId: missed.id });
    expect(replayed.data.messageId).not.toBe(message.id);
    expect((await again.next((e) => e.event === 'unread-count')).data).toEqual({ threads: 1, messages: 2, requests: 0 });

    const stranger = await connect({ jwt: bob.jwt, lastEventId: 'ffffffffffff.1' });
    expect((await stranger.next(() => true)).event).toBe('resync');
    expect((await stranger.next((e) => e.event === 'unread-count')).data).toEqual({ threads: 1, messages: 2, requests: 0 });
  });

  it('issues single-use tickets: a used one resumes only with its stream\'s Last-Event-ID header; an expired one gives reauth, then 401', async () => {
    const [alice, bob] = await ctx.users(2);
    const res = await as(ctx.strapi, bob).post('/stream/tickets').expect(200);
    const { ticket, expiresAt } = res.body.data;
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());
    // Stored hashed: the ticket itself is nowhere in the table.
    const rows = await ctx.strapi.db.connection('pm_stream_tickets').select('token_hash', 'resume_hash');
    expect(rows.map((r: any) => r.token_hash)).not.toContain(ticket);

    const tab = await connect({ ticket });
    await ready(tab);
    const { message } = await startThread(ctx.strapi, alice, [bob]);
    expect((await tab.next((e) => e.event === 'message.created')).data.messageId).toBe(message.id);
    // The URL (in every request log) opens nothing more: not again, not with another stream's id,
    // not with the id in the query (a URL again).
    expect((await connect({ ticket })).status).toBe(401);
    const other = await connect({ jwt: bob.jwt });
    await ready(other);
    expect((await connect({ ticket, lastEventId: other.lastEventId() })).status).toBe(401);
    expect((await connect({ ticket, lastEventIdQuery: tab.lastEventId() })).status).toBe(401);
    other.close();
    await other.ended;
    // What EventSource does: the same URL, with the last id it was sent in the header.
    const reconnected = await connect({ ticket, lastEventId: tab.lastEventId() });
    expect(reconnected.status).toBe(200);
    reconnected.close();
    await reconnected.ended;

    // Make it expire in a moment, then resume with it.
    await ctx.strapi.db.connection('pm_stream_tickets').update({ expires_at: new Date(Date.now() + 800) });
    const short = await connect({ ticket, lastEventId: tab.lastEventId() });
    expect(short.status).toBe(200);
    expect((await short.next((e) => e.event === 'reauth', 3000)).data).toEqual({});
    await short.ended;
    expect((await connect({ ticket, lastEventId: tab.lastEventId() })).status).toBe(401);
    expect((await connect({ query: `ticket=${ticket}&user=1` })).status).toBe(401);
    await as(ctx.strapi, bob).get('/stream?user=1').expect(400);
  });

  it('resumes from a stream\'s very first line: its position is sent before any event', async () => {
    const [alice, bob] = await ctx.users(2);
    const ticket = await ticketFor(bob);
    const tab = await connect({ ticket });
    // No event yet: EventSource already holds an id to reconnect with.
    await streamIdle(ctx.strapi);
    expect(tab.lastEventId()).toMatch(EVENT_ID);
    const position = tab.lastEventId();
    tab.close();
    await tab.ended;
    const { message } = await startThread(ctx.strapi, alice, [bob]);
    await streamIdle(ctx.strapi);
    const back = await connect({ ticket, lastEventId: position });
    expect(back.status).toBe(200);
    expect((await back.next((e) => e.event === 'message.created')).data.messageId).toBe(message.id);
  });

  it('limits tickets per user: unused ones and a rate, each a 429 with Retry-After', async () => {
    const [bob, carol] = await ctx.users(2);
    const tickets = [await ticketFor(bob), await ticketFor(bob), await ticketFor(bob)];
    const unused = await as(ctx.strapi, bob).post('/stream/tickets').expect(429);
    expect(unused.body).toMatchObject({ data: null, error: { status: 429, name: 'RateLimitError', details: { retryAfter: expect.any(Number) } } });
    expect(Number(unused.headers['retry-after'])).toBe(unused.body.error.details.retryAfter);
    expect(Number(unused.headers['retry-after'])).toBeGreaterThan(60);
    // Others are not affected.
    await ticketFor(carol);
    // Spending two makes room under the cap, not under the rate: five a minute.
    for (const ticket of tickets.slice(0, 2)) (await connect({ ticket })).close();
    await ticketFor(bob);
    await ticketFor(bob);
    const rate = await as(ctx.strapi, bob).post('/stream/tickets').expect(429);
    expect(rate.body.error.name).toBe('RateLimitError');
    const retryAfter = Number(rate.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('numbers each user\'s events in their own sequence: ids tell nothing of others online, blocks or broadcasts', async () => {
    const [alice, bob, carol, dave] = await ctx.users(4);
    const { thread } = await startThread(ctx.strapi, alice, [bob, dave], { subject: 'group' });
    await as(ctx.strapi, dave).post('/blocks', { userId: alice.id }).expect(201);
    const [bobTab, carolTab, daveTab] = await Promise.all([connect({ jwt: bob.jwt }), connect({ jwt: carol.jwt }), connect({ jwt: dave.jwt })]);
    await Promise.all([ready(bobTab), ready(carolTab), ready(daveTab)]);
    // Between bob's events: carol's, others connecting, and a message dave does not get (he blocked alice).
    await startThread(ctx.strapi, alice, [carol]);
    await carolTab.next((e) => e.event === 'unread-count' && e.data.messages === 1);
    const late = await connect({ jwt: carol.jwt });
    await ready(late);
    const fromAlice = await reply(ctx.strapi, alice, thread.id, 'dave blocked me');
    await bobTab.next((e) => e.event === 'message.created' && e.data.messageId === fromAlice.id);
    const fromBob = await reply(ctx.strapi, bob, thread.id, 'hello');
    await daveTab.next((e) => e.event === 'message.created' && e.data.messageId === fromBob.id);

    const bobIds = bobTab.events.map((e) => e.id);
    for (const id of bobIds) expect(id).toMatch(EVENT_ID);
    // One sequence per user, one step per event of theirs, whatever happened to others.
    expect(bobIds.map(seqOf)).toEqual(bobIds.map((_, i) => i + 1));
    expect(daveTab.events.map((e) => seqOf(e.id))).toEqual(daveTab.events.map((_, i) => i + 1));
    // Nothing shared across users either.
    expect(new Set([prefixOf(bobIds[0]), prefixOf(carolTab.events[0].id), prefixOf(daveTab.events[0].id)]).size).toBe(3);
  });

  it('takes the resume position as a lastEventId query too (no non-safelisted header needed)', async () => {
    const [alice, bob] = await ctx.users(2);
    const first = await connect({ jwt: bob.jwt });
    await ready(first);
    const position = first.lastEventId();
    first.close();
    await first.ended;
    const { message } = await startThread(ctx.strapi, alice, [bob]);
    await streamIdle(ctx.strapi);
    const again = await connect({ jwt: bob.jwt, lastEventIdQuery: position });
    expect(again.status).toBe(200);
    expect((await again.next((e) => e.event === 'message.created')).data.messageId).toBe(message.id);
    expect(again.events[0].event).toBe('message.created');
    // The header wins over the query (EventSource sends its newest id there).
    const both = await connect({ jwt: bob.jwt, lastEventId: again.lastEventId(), lastEventIdQuery: position });
    expect(await sentSince(both, 0, 'message.created')).toEqual([]);
  });

  it('applies users-permissions\' unconfirmed-account rule to tickets and to open streams', async () => {
    const store = ctx.strapi.store({ type: 'plugin', name: 'users-permissions' });
    const advanced = (await store.get({ key: 'advanced' })) as Record<string, unknown>;
    const [ticketUser, streamUser] = await ctx.users(2);
    const ticket = await ticketFor(ticketUser);
    const tab = await connect({ jwt: streamUser.jwt });
    await ready(tab);
    const users = ctx.strapi.db.query('plugin::users-permissions.user');
    await users.update({ where: { id: ticketUser.id }, data: { confirmed: false } });
    await users.update({ where: { id: streamUser.id }, data: { confirmed: false } });
    await store.set({ key: 'advanced', value: { ...advanced, email_confirmation: true } });
    try {
      expect((await connect({ ticket })).status).toBe(401);
      await tab.ended;
    } finally {
      await store.set({ key: 'advanced', value: advanced });
    }
  });

  it('ends the streams of a user who is blocked, suspended or loses the action, within the recheck interval', async () => {
    const role = await createRole(ctx.strapi, `Revocable ${Date.now()}`);
    await grant(ctx.strapi, role.id, pluginActions(ctx.strapi));
    const [blocked, suspended, lost] = await ctx.users(3);
    for (const u of [blocked, suspended, lost]) await setRole(ctx.strapi, u.id, role.id);
    const [a, s, b] = await Promise.all([connect({ jwt: blocked.jwt }), connect({ jwt: suspended.jwt }), connect({ jwt: lost.jwt })]);
    await Promise.all([ready(a), ready(s), ready(b)]);
    await ctx.strapi.db.query('plugin::users-permissions.user').update({ where: { id: blocked.id }, data: { blocked: true } });
    await a.ended;
    // Written straight to the table (no event): the periodic check finds it.
    await ctx.strapi.db.query('plugin::private-messages.suspension').create({ data: { user: suspended.id, suspendedAt: new Date(), note: 'test' } });
    await s.ended;
    // ... and cannot come back (EventSource would reconnect with the same credential).
    const again = await connect({ jwt: suspended.jwt });
    expect(again.status).toBe(403);
    expect(again.body.error).toMatchObject({ name: 'ForbiddenError', details: { code: 'sender_suspended' } });
    await revoke(ctx.strapi, role.id, ['plugin::private-messages.stream.connect']);
    await b.ended;
    expect((await connect({ jwt: lost.jwt })).status).toBe(403);
  }, 15_000);

  it('caps the streams of one user', async () => {
    const [user] = await ctx.users(1);
    const tabs = await Promise.all([1, 2, 3].map(() => connect({ jwt: user.jwt })));
    expect(tabs.map((t) => t.status)).toEqual([200, 200, 200]);
    const fourth = await connect({ jwt: user.jwt });
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.name).toBe('RateLimitError');
  });

  it('leaves no stream, listener or follower behind after 1,000 connections', async () => {
    const [user] = await ctx.users(1);
    const stream = ctx.strapi.plugin('private-messages').service('stream');
    const server = ctx.strapi.server.httpServer;
    // The server notices each close on its own schedule.
    const settle = async () => {
      for (let i = 0; i < 50 && stream.stats().streams > 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    };
    const listenersBefore = server.listenerCount('request') + server.listenerCount('connection');
    v8.setFlagsFromString('--expose_gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const cycle = async () => {
      const tab = await openStream(base, { jwt: user.jwt });
      await ready(tab);
      tab.close();
      await tab.ended;
    };
    // A full collection, three times, with a pause between: the collector's timing alone moves heapUsed by
    // megabytes (sockets and undici's buffers are freed a turn later), so one gc() is not a reading.
    const heapAfterGc = async () => {
      for (let i = 0; i < 3; i += 1) {
        gc();
        await new Promise((r) => setTimeout(r, 200));
      }
      return process.memoryUsage().heapUsed;
    };
    // Warm up (first-use allocations, caches, the steady state of the collector), then measure the
    // heap around 1,000 more: a stream that stayed would hold a PassThrough, a socket and a Koa
    // context (20 KB and more each, so 20 MB for 1,000), far above the noise allowed here.
    for (let i = 0; i < 300; i += 1) await cycle();
    await settle();
    const heapBefore = await heapAfterGc();
    // Users of earlier tests are still followed for replay (replaySeconds); this one is now too, once.
    const followedBefore = stream.stats().followedUsers;
    for (let i = 0; i < 1000; i += 1) await cycle();
    await settle();
    expect(stream.stats().streams).toBe(0);
    expect(stream.stats().followedUsers).toBe(followedBefore);
    expect(server.listenerCount('request') + server.listenerCount('connection')).toBe(listenersBefore);
    // Closed streams' memory comes back within seconds, not at once (measured: 20 MB retained right
    // after 1,000 cycles, under 8 MB seconds later and on later requests); a leak never comes back.
    let grown = Infinity;
    for (let waited = 0; waited < 30_000 && grown >= 8 * 1024 * 1024; waited += 1000) {
      grown = (await heapAfterGc()) - heapBefore;
      if (grown >= 8 * 1024 * 1024) await new Promise((r) => setTimeout(r, 400));
    }
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  }, 150_000);
});
