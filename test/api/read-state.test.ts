import { as, reply, startThread, unreadCount } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import type { TestUser } from '../helpers/users';

const ctx = useStrapi();

const inboxOf = async (user: TestUser) => (await as(ctx.strapi, user).get('/threads').expect(200)).body.data as any[];
const threadOf = async (user: TestUser, id: string) => (await as(ctx.strapi, user).get(`/threads/${id}`).expect(200)).body.data;

describe('unread counts', () => {
  it('are exact after sends, replies and reads in a 1:1 thread', async () => {
    const [ann, bob] = await ctx.users(2);
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 0, messages: 0 });
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await reply(ctx.strapi, ann, thread.id, 'second');
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 1, messages: 2 });
    expect(await unreadCount(ctx.strapi, ann)).toEqual({ threads: 0, messages: 0 });

    const res = await as(ctx.strapi, bob).post(`/threads/${thread.id}/read`).expect(200);
    expect(res.body).toEqual({ data: { unreadCount: 0 } });
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 0, messages: 0 });
    expect((await threadOf(bob, thread.id)).messages.every((m: any) => !m.isNew)).toBe(true);

    // Replying means having read the thread.
    await reply(ctx.strapi, ann, thread.id, 'third');
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 1, messages: 1 });
    await reply(ctx.strapi, bob, thread.id, 'answer');
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 0, messages: 0 });
    expect(await unreadCount(ctx.strapi, ann)).toEqual({ threads: 1, messages: 1 });
  });

  it('count threads and messages across a group, per member', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const group = await startThread(ctx.strapi, ann, [bob, cat]);
    const direct = await startThread(ctx.strapi, bob, [cat]);
    await reply(ctx.strapi, bob, group.thread.id, 'from bob');
    expect(await unreadCount(ctx.strapi, ann)).toEqual({ threads: 1, messages: 1 });
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 0, messages: 0 });
    expect(await unreadCount(ctx.strapi, cat)).toEqual({ threads: 2, messages: 3 });
    const catInbox = await inboxOf(cat);
    expect(catInbox.map((t) => [t.id, t.unreadCount])).toEqual([
      [group.thread.id, 2],
      [direct.thread.id, 1],
    ]);
  });

  it('mark the newest message from someone else unread, and only it', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob], { body: 'one' });
    await reply(ctx.strapi, ann, thread.id, 'two');
    await reply(ctx.strapi, bob, thread.id, 'mine');
    const res = await as(ctx.strapi, bob).post(`/threads/${thread.id}/unread`).expect(200);
    expect(res.body).toEqual({ data: { unreadCount: 1 } });
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 1, messages: 1 });
    const view = await threadOf(bob, thread.id);
    expect(view.messages.map((m: any) => [m.body, m.isNew])).toEqual([
      ['one', false],
      ['two', true],
      ['mine', false],
    ]);
    expect(view.unreadCount).toBe(1);
    // Marking unread twice changes nothing more.
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/unread`).expect(200);
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 1, messages: 1 });
    // A thread with nothing from others has nothing to mark.
    const own = await startThread(ctx.strapi, bob, [ann]);
    expect((await as(ctx.strapi, bob).post(`/threads/${own.thread.id}/unread`).expect(200)).body.data).toEqual({ unreadCount: 0 });
  });

  it('refuse unknown keys on the read-state routes', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    for (const action of ['read', 'unread', 'leave']) {
      const res = await as(ctx.strapi, bob).post(`/threads/${thread.id}/${action}`, { all: true }).expect(400);
      expect(res.body.error.details.errors[0].path).toEqual(['all']);
    }
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 1, messages: 1 });
    await as(ctx.strapi, bob).get('/unread-count?fresh=1').expect(400);
  });
});

describe('removing a thread from the inbox', () => {
  it('hides it and its unread messages until the next message, which shows only what is newer', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob], { body: 'old one' });
    await reply(ctx.strapi, ann, thread.id, 'old two');
    await as(ctx.strapi, bob).del(`/threads/${thread.id}`).expect(204);

    expect(await inboxOf(bob)).toEqual([]);
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 0, messages: 0 });
    // Only the caller's inbox changes.
    expect((await inboxOf(ann)).map((t) => t.id)).toEqual([thread.id]);
    expect((await threadOf(ann, thread.id)).messageCount).toBe(2);

    await reply(ctx.strapi, ann, thread.id, 'new one');
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 1, messages: 1 });
    const [revived] = await inboxOf(bob);
    expect(revived).toMatchObject({ id: thread.id, messageCount: 1, unreadCount: 1, lastMessage: { excerpt: 'new one' } });
    const view = await threadOf(bob, thread.id);
    expect(view.messages.map((m: any) => m.body)).toEqual(['new one']);

    // The author still sees everything.
    expect((await threadOf(ann, thread.id)).messages).toHaveLength(3);
  });

  it('lets the remover reply, bringing the thread back for them too', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob], { body: 'hello' });
    await as(ctx.strapi, bob).del(`/threads/${thread.id}`).expect(204);
    await reply(ctx.strapi, bob, thread.id, 'back again');
    const [mine] = await inboxOf(bob);
    expect(mine).toMatchObject({ id: thread.id, messageCount: 1, unreadCount: 0 });
    expect(await unreadCount(ctx.strapi, ann)).toEqual({ threads: 1, messages: 1 });
  });
});

describe('leaving a group thread', () => {
  it('stops a member receiving it, removes it from their inbox and counts, and shows them as left', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat]);
    await reply(ctx.strapi, ann, thread.id, 'before leaving');
    expect(await unreadCount(ctx.strapi, cat)).toEqual({ threads: 1, messages: 2 });

    await as(ctx.strapi, cat).post(`/threads/${thread.id}/leave`).expect(204);
    expect(await unreadCount(ctx.strapi, cat)).toEqual({ threads: 0, messages: 0 });
    expect(await inboxOf(cat)).toEqual([]);

    await reply(ctx.strapi, bob, thread.id, 'after leaving');
    expect(await unreadCount(ctx.strapi, cat)).toEqual({ threads: 0, messages: 0 });
    expect(await unreadCount(ctx.strapi, ann)).toEqual({ threads: 1, messages: 1 });
    // No longer a member: the thread is a 404 for them, like any thread they never saw.
    await as(ctx.strapi, cat).get(`/threads/${thread.id}`).expect(404);
    await as(ctx.strapi, cat).post(`/threads/${thread.id}/messages`, { body: 'hello?' }).expect(404);

    const view = await threadOf(ann, thread.id);
    expect(view.participants.map((p: any) => [p.id, p.left])).toEqual([
      [ann.id, false],
      [bob.id, false],
      [cat.id, true],
    ]);
  });

  it('is a 400 on a 1:1 thread, which changes nothing', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    const res = await as(ctx.strapi, bob).post(`/threads/${thread.id}/leave`).expect(400);
    expect(res.body.error.name).toBe('ValidationError');
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 1, messages: 1 });
  });
});

describe('the events of the contract', () => {
  it('are emitted on the event hub after each change', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const seen: [string, any][] = [];
    const names = [
      'private-messages.thread.created',
      'private-messages.message.created',
      'private-messages.message.deleted',
      'private-messages.thread.left',
    ];
    const unsubscribe = names.map((name) =>
      ctx.strapi.eventHub.on(name, async (payload: any) => {
        seen.push([name, payload]);
      })
    );
    try {
      const { thread, message } = await startThread(ctx.strapi, ann, [bob, cat]);
      await as(ctx.strapi, ann).del(`/messages/${message.id}`).expect(204);
      await as(ctx.strapi, cat).post(`/threads/${thread.id}/leave`).expect(204);
      expect(seen).toEqual([
        ['private-messages.thread.created', { threadId: thread.id, authorId: ann.id, memberIds: [ann.id, bob.id, cat.id], context: null }],
        ['private-messages.message.created', { threadId: thread.id, messageId: message.id, authorId: ann.id }],
        ['private-messages.message.deleted', { threadId: thread.id, messageId: message.id, authorId: ann.id }],
        ['private-messages.thread.left', { threadId: thread.id, userId: cat.id }],
      ]);
    } finally {
      unsubscribe.forEach((off) => off());
    }
  });
});

describe('concurrent replies', () => {
  it('keep the thread’s last message and every member’s counts exact', async () => {
    const users = await ctx.users(6);
    const { thread } = await startThread(ctx.strapi, users[0], users.slice(1));
    await Promise.all(users.flatMap((u, i) => [reply(ctx.strapi, u, thread.id, `a${i}`), reply(ctx.strapi, u, thread.id, `b${i}`)]));

    const knex = ctx.strapi.db.connection;
    const [row] = await knex('pm_threads').where('document_id', thread.id);
    const [{ max }] = await knex('pm_messages').where('thread_id', row.id).max({ max: 'id' });
    expect(Number(row.last_message_id)).toBe(Number(max));
    expect(Number(row.message_count)).toBe(13);
    const snapshot = () => knex('pm_memberships').select('user_id', 'unread_count', 'message_count').where('thread_id', row.id).orderBy('user_id');
    const before = await snapshot();
    const { recountMemberships } = require('../../server/src/repositories/membership-read-state');
    await recountMemberships(knex, [row.id]);
    expect(await snapshot()).toEqual(before);
  });
});
