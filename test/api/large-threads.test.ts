import { as, unreadCount } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { createRole, grant, pluginActions, setRole, type TestUser } from '../helpers/users';
import { backfillDeliveredMarks, DEFERRED_DELIVERY_ABOVE, deliverMessageInChunks } from '../../server/src/repositories/membership-delivery';
import { markNewestUnreadMany, recountMemberships } from '../../server/src/repositories/membership-read-state';

/*
 * Threads of more than DEFERRED_DELIVERY_ABOVE members: a reply commits the message, the thread
 * and the author's own state; the outbox worker then delivers it to the members, in chunks. These
 * tests stop the worker's automatic drains so they decide when deliveries run, and check that
 * every count ends up exact whatever happens in between (read, unread, removal, order, retries).
 */
const ctx = useStrapi();
const CROWD = 320; // more than three delivery chunks (DELIVERY_CHUNK = 100)

const knex = () => ctx.strapi.db.connection;
const outbox = () => ctx.strapi.plugin('private-messages').service('outbox');
const messaging = () => ctx.strapi.plugin('private-messages').service('messaging');
const purge = () => ctx.strapi.plugin('private-messages').service('purge');

const internalThreadId = async (documentId: string) =>
  Number((await knex()('pm_threads').select('id').where('document_id', documentId).first()).id);

const countsOf = async (threadId: number) =>
  (
    await knex()('pm_memberships')
      .select('user_id', 'in_inbox', 'unread_count', 'message_count', 'last_read_message_id')
      .where('thread_id', threadId)
      .orderBy('user_id')
  ).map((r: any) => ({ ...r, in_inbox: Boolean(r.in_inbox), user_id: Number(r.user_id), unread_count: Number(r.unread_count), message_count: Number(r.message_count) }));

/** Stored counts equal counts recomputed from the messages (recountMemberships, the definition). */
const expectExactCounts = async (threadId: number) => {
  const stored = await countsOf(threadId);
  await recountMemberships(knex(), [threadId]);
  expect(await countsOf(threadId)).toEqual(stored);
  return new Map(stored.map((r) => [r.user_id, r]));
};

let author: TestUser;
let reader: TestUser;
let unreader: TestUser;
let remover: TestUser;
let crowdIds: number[];
let thread: { id: string; participantCount: number; participants: unknown[] };
let threadId: number;

beforeAll(async () => {
  // Deliveries run when a test drains the outbox, not on their own right after each reply.
  await outbox().stop();
  [author, reader, unreader, remover] = await ctx.users(4);
  const crowd = await createRole(ctx.strapi, 'Crowd');
  await grant(ctx.strapi, crowd.id, pluginActions(ctx.strapi));
  for (const u of [reader, unreader, remover]) await setRole(ctx.strapi, u.id, crowd.id);
  crowdIds = [];
  for (let i = 0; i < CROWD; i += 1) {
    const u = await ctx.strapi.db.query('plugin::users-permissions.user').create({
      data: { username: `crowd${i}`, email: `crowd${i}@example.test`, provider: 'local', confirmed: true, blocked: false, role: crowd.id },
    });
    crowdIds.push(u.id);
  }
  // A group of every member by name (a message to the role would be a broadcast: broadcasts.test.ts).
  // System messages skip the recipient limit.
  const sent = await messaging().send(
    { author: author.id, recipients: [reader, unreader, remover].map((u) => u.id).concat(crowdIds), subject: 'All', body: 'Hello all' },
    { bypassRules: true }
  );
  thread = sent.thread;
  threadId = await internalThreadId(thread.id);
  await outbox().drain();
}, 180_000);

describe('a thread with hundreds of members', () => {
  it('lists 10 participants with the total; a reply reaches the members once the outbox delivers it', async () => {
    expect(DEFERRED_DELIVERY_ABOVE).toBeLessThan(CROWD);
    expect(thread.participantCount).toBe(CROWD + 4);
    expect(thread.participants.length).toBeLessThanOrEqual(100);

    await messaging().reply({ author: crowdIds[5], threadId: thread.id, body: 'hi' });
    await messaging().reply({ author: crowdIds[300], threadId: thread.id, body: 'hi again' });

    // Committed: the message and the thread. Not yet delivered: the other members' counts.
    let [first] = (await as(ctx.strapi, author).get('/threads').expect(200)).body.data;
    expect(first).toMatchObject({ id: thread.id, unreadCount: 0, messageCount: 1, lastMessage: { excerpt: 'hi again' } });
    expect(first.participants).toHaveLength(10);

    await outbox().drain();
    [first] = (await as(ctx.strapi, author).get('/threads').expect(200)).body.data;
    expect(first).toMatchObject({ id: thread.id, participantCount: CROWD + 4, unreadCount: 2, messageCount: 3 });
    const byUser = await expectExactCounts(threadId);
    expect(byUser.get(crowdIds[5])?.unread_count).toBe(1);
    expect(byUser.get(crowdIds[300])?.unread_count).toBe(0);
    expect(byUser.get(crowdIds[100])?.unread_count).toBe(3);
    expect(await unreadCount(ctx.strapi, reader)).toEqual({ threads: 1, messages: 3 });
  }, 60_000);

  it('counts a message still on its way before marking the thread read, unread or removed, and never again after', async () => {
    await as(ctx.strapi, unreader).post(`/threads/${thread.id}/read`).expect(200);
    await messaging().reply({ author: crowdIds[7], threadId: thread.id, body: 'news' });

    // Before the delivery: one member reads, one marks unread, one removes the thread.
    await as(ctx.strapi, reader).post(`/threads/${thread.id}/read`).expect(200);
    expect((await as(ctx.strapi, unreader).post(`/threads/${thread.id}/unread`).expect(200)).body.data).toEqual({ unreadCount: 1 });
    await as(ctx.strapi, remover).del(`/threads/${thread.id}`).expect(204);

    await outbox().drain();
    expect(await unreadCount(ctx.strapi, reader)).toEqual({ threads: 0, messages: 0 });
    expect(await unreadCount(ctx.strapi, unreader)).toEqual({ threads: 1, messages: 1 });
    expect(await unreadCount(ctx.strapi, remover)).toEqual({ threads: 0, messages: 0 });
    expect((await as(ctx.strapi, remover).get('/threads').expect(200)).body.data).toEqual([]);
    const readerView = (await as(ctx.strapi, reader).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(readerView).toMatchObject({ unreadCount: 0, messageCount: 4 });
    await expectExactCounts(threadId);

    // The next message brings the thread back for the member who removed it, and only it shows.
    await messaging().reply({ author: crowdIds[8], threadId: thread.id, body: 'later' });
    await outbox().drain();
    const [back] = (await as(ctx.strapi, remover).get('/threads').expect(200)).body.data;
    expect(back).toMatchObject({ id: thread.id, unreadCount: 1, messageCount: 1, lastMessage: { excerpt: 'later' } });
    await expectExactCounts(threadId);
  }, 60_000);

  it('delivers each message once, in whatever order deliveries run and however often', async () => {
    const x1 = await messaging().reply({ author: crowdIds[9], threadId: thread.id, body: 'one' });
    const x2 = await messaging().reply({ author: crowdIds[10], threadId: thread.id, body: 'two' });
    const ids = await knex()('pm_messages').select('id').whereIn('document_id', [x1.id, x2.id]).orderBy('id');
    const [m1, m2] = ids.map((r: any) => Number(r.id));
    const before = new Map((await countsOf(threadId)).map((r) => [r.user_id, r]));

    // The later message first (another worker got to it first), then the earlier one, then again.
    const now = new Date();
    expect(await deliverMessageInChunks(knex(), { threadId, messageId: m2, now })).toBeGreaterThan(CROWD);
    expect(await deliverMessageInChunks(knex(), { threadId, messageId: m1, now })).toBe(0);
    expect(await deliverMessageInChunks(knex(), { threadId, messageId: m2, now })).toBe(0);
    await outbox().drain();

    const after = await expectExactCounts(threadId);
    expect(after.get(crowdIds[100])?.unread_count).toBe((before.get(crowdIds[100])?.unread_count ?? 0) + 2);
    expect(after.get(crowdIds[9])?.unread_count).toBe(1);
    expect(after.get(crowdIds[10])?.unread_count).toBe(0);
  }, 60_000);

  it('marking unread while a reply is on its way counts that reply once', async () => {
    // On PostgreSQL a reply can commit between mark-unread's catch-up and its own statement (the
    // reply does not touch the member's row): played here in that order, statement by statement.
    const membership = await knex()('pm_memberships').select('id').where({ thread_id: threadId, user_id: unreader.id }).first();
    await as(ctx.strapi, unreader).post(`/threads/${thread.id}/read`).expect(200);
    await messaging().reply({ author: crowdIds[11], threadId: thread.id, body: 'in between' });
    expect(await markNewestUnreadMany(knex(), unreader.id, [Number(membership.id)])).toBe(1);

    await outbox().drain();
    // The newest message delivered before it (now unread again) and the reply.
    expect((await expectExactCounts(threadId)).get(unreader.id)?.unread_count).toBe(2);
    expect(await unreadCount(ctx.strapi, unreader)).toEqual({ threads: 1, messages: 2 });
  }, 60_000);

  it('a purge delivers what is still on its way before recounting: a removed thread comes back with it', async () => {
    const doomed = await messaging().reply({ author: crowdIds[12], threadId: thread.id, body: 'deleted later' });
    await outbox().drain();
    await messaging().deleteOwnMessage(crowdIds[12], doomed.id);
    await as(ctx.strapi, remover).del(`/threads/${thread.id}`).expect(204);
    await messaging().reply({ author: crowdIds[13], threadId: thread.id, body: 'after the removal' });

    // Long enough after the deletion for the purge (30 days by default), before the delivery.
    expect(await purge().run(new Date(Date.now() + 40 * 86_400_000))).toEqual({ purged: 1 });
    await outbox().drain();
    const [back] = (await as(ctx.strapi, remover).get('/threads').expect(200)).body.data;
    expect(back).toMatchObject({ id: thread.id, unreadCount: 1, messageCount: 1, lastMessage: { excerpt: 'after the removal' } });
    await expectExactCounts(threadId);
  }, 60_000);

  it('counts memberships from before delivery marks as delivered up to their thread\'s last message', async () => {
    await knex()('pm_memberships').where('thread_id', threadId).update({ delivered_message_id: null });
    await backfillDeliveredMarks(knex());
    const { last_message_id: last } = await knex()('pm_threads').select('last_message_id').where('id', threadId).first();
    const marks = await knex()('pm_memberships').distinct('delivered_message_id').where('thread_id', threadId);
    expect(marks.map((r: any) => Number(r.delivered_message_id))).toEqual([Number(last)]);
    // Nothing is delivered twice after that.
    await outbox().drain();
    await expectExactCounts(threadId);
  });
});
