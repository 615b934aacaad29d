import { as, reply, startThread, unreadCount } from '../helpers/api';
import { driftedCounters, recountedUnread, threadIdOf } from '../helpers/counters';
import { useStrapi } from '../helpers/setup';
import { createRole, setRole, login, type TestUser } from '../helpers/users';

const ctx = useStrapi();
const settings = () => ctx.strapi.plugin('private-messages').service('settings');
const block = (by: TestUser, userId: number) => as(ctx.strapi, by).post('/blocks', { userId });

describe('/blocks', () => {
  it('lists, adds and removes the users the caller blocked, emitting events', async () => {
    const [ann, bob] = await ctx.users(2);
    const events: [string, unknown][] = [];
    const offs = ['private-messages.user.blocked', 'private-messages.user.unblocked'].map((name) =>
      ctx.strapi.eventHub.on(name, async (p: unknown) => {
        events.push([name, p]);
      })
    );
    try {
      expect((await as(ctx.strapi, ann).get('/blocks').expect(200)).body.data).toEqual([]);
      const created = await block(ann, bob.id).expect(201);
      expect(created.body.data).toMatchObject({ id: bob.id, username: bob.username, blockedAt: expect.any(String) });
      // Blocking twice keeps one block and one event.
      await block(ann, bob.id).expect(201);
      expect((await as(ctx.strapi, ann).get('/blocks').expect(200)).body.data).toEqual([created.body.data]);
      await as(ctx.strapi, ann).del(`/blocks/${bob.id}`).expect(204);
      await as(ctx.strapi, ann).del(`/blocks/${bob.id}`).expect(204);
      expect((await as(ctx.strapi, ann).get('/blocks').expect(200)).body.data).toEqual([]);
      expect(events).toEqual([
        ['private-messages.user.blocked', { blockerId: ann.id, blockedId: bob.id }],
        ['private-messages.user.unblocked', { blockerId: ann.id, blockedId: bob.id }],
      ]);
    } finally {
      offs.forEach((off) => off());
    }
  });

  it('refuses blocking oneself (400), an unknown user (404), bad input (400)', async () => {
    const [ann] = await ctx.users(1);
    expect((await block(ann, ann.id).expect(400)).body.error.name).toBe('ValidationError');
    await block(ann, 987_654).expect(404);
    await as(ctx.strapi, ann).post('/blocks', { userId: '2' }).expect(400);
    await as(ctx.strapi, ann).post('/blocks', { userId: 2, reason: 'x' }).expect(400);
    await as(ctx.strapi, ann).del('/blocks/abc').expect(400);
  });

  it('refuses blocking a user whose role is unblockable (403)', async () => {
    const support = await createRole(ctx.strapi, 'Support staff');
    const [ann, agent] = await ctx.users(2);
    await setRole(ctx.strapi, agent.id, support.id);
    await settings().update({ unblockableRoles: [support.id] });
    try {
      const res = await block(ann, agent.id).expect(403);
      expect(res.body.error).toMatchObject({ name: 'ForbiddenError', details: { code: 'unblockable' } });
      expect((await as(ctx.strapi, ann).get('/blocks').expect(200)).body.data).toEqual([]);
    } finally {
      await settings().update({ unblockableRoles: [] });
    }
  });
});

describe('what a block does', () => {
  it('stops the blocked user starting a thread with the blocker or replying in their 1:1 thread', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, bob, [ann]);
    await block(ann, bob.id).expect(201);

    const start = await as(ctx.strapi, bob).post('/threads', { recipients: [{ type: 'user', id: ann.id }], body: 'hi' }).expect(403);
    expect(start.body.error.details.refused).toEqual([
      { recipient: { type: 'user', id: ann.id }, code: 'blocked', message: expect.any(String) },
    ]);
    const replyRes = await as(ctx.strapi, bob).post(`/threads/${thread.id}/messages`, { body: 'hello?' }).expect(403);
    expect(replyRes.body.error.details.refused[0].code).toBe('blocked');
    expect((await as(ctx.strapi, bob).get(`/can-message/${ann.id}`).expect(200)).body.data).toEqual({
      allowed: false,
      asRequest: false,
      reasons: [{ code: 'blocked', message: expect.any(String) }],
    });
    // Existing messages stay visible to both; the blocker may still write.
    expect((await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data.messages).toHaveLength(1);
    await reply(ctx.strapi, ann, thread.id, 'I can still write');

    await as(ctx.strapi, ann).del(`/blocks/${bob.id}`).expect(204);
    await reply(ctx.strapi, bob, thread.id, 'unblocked');
  });

  it('in a group, hides the blocked author’s later messages from the blocker, uncounted; earlier ones stay', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const { thread } = await startThread(ctx.strapi, cat, [ann, bob], { body: 'from cat' });
    await reply(ctx.strapi, bob, thread.id, 'bob before the block');
    await as(ctx.strapi, ann).post(`/threads/${thread.id}/read`).expect(200);
    await block(ann, bob.id).expect(201);

    await reply(ctx.strapi, bob, thread.id, 'bob after the block');
    expect(await unreadCount(ctx.strapi, ann)).toEqual({ threads: 0, messages: 0 });
    expect(await unreadCount(ctx.strapi, cat)).toEqual({ threads: 1, messages: 2 });
    const annView = (await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(annView.messages.map((m: any) => m.body)).toEqual(['from cat', 'bob before the block']);
    expect(annView.messageCount).toBe(2);
    const [inboxEntry] = (await as(ctx.strapi, ann).get('/threads').expect(200)).body.data;
    expect(inboxEntry.lastMessage.excerpt).toBe('bob before the block');

    await reply(ctx.strapi, cat, thread.id, 'cat again');
    expect(await unreadCount(ctx.strapi, ann)).toEqual({ threads: 1, messages: 1 });
    // "Mark unread" never picks a hidden message.
    await as(ctx.strapi, ann).post(`/threads/${thread.id}/read`).expect(200);
    await reply(ctx.strapi, bob, thread.id, 'bob hidden again');
    await as(ctx.strapi, ann).post(`/threads/${thread.id}/unread`).expect(200);
    const marked = (await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(marked.messages.filter((m: any) => m.isNew).map((m: any) => m.body)).toEqual(['cat again']);

    // The blocked user can still reply in the group; the others still see everything.
    const catView = (await as(ctx.strapi, cat).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(catView.messages).toHaveLength(5);
  });

  it('never delivers what was written during the block, also after it is lifted; what follows arrives', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const { thread } = await startThread(ctx.strapi, cat, [ann, bob], { body: 'from cat' });
    await as(ctx.strapi, ann).post(`/threads/${thread.id}/read`).expect(200);
    const before = (await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data;
    await block(ann, bob.id).expect(201);
    const held = await reply(ctx.strapi, bob, thread.id, 'written during the block');
    // Another thread moves up meanwhile: the held message must not move this one above it.
    const { thread: other } = await startThread(ctx.strapi, cat, [ann], { body: 'another thread' });
    await as(ctx.strapi, ann).del(`/blocks/${bob.id}`).expect(204);

    const view = (await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(view.messages.map((m: any) => m.body)).toEqual(['from cat']);
    expect(view).toMatchObject({ messageCount: 1, unreadCount: 0, lastMessageAt: before.lastMessageAt });
    expect(await unreadCount(ctx.strapi, ann)).toEqual({ threads: 1, messages: 1 });
    const inbox = (await as(ctx.strapi, ann).get('/threads').expect(200)).body.data;
    expect(inbox.map((t: any) => t.id)).toEqual([other.id, thread.id]);
    expect(inbox[1]).toMatchObject({ lastMessage: { excerpt: 'from cat' }, messageCount: 1 });
    await as(ctx.strapi, ann).get(`/messages/${held.id}`).expect(404);
    await as(ctx.strapi, ann).post(`/messages/${held.id}/report`, { reason: 'spam' }).expect(404);
    // "Mark unread" never picks it either.
    await as(ctx.strapi, ann).post(`/threads/${thread.id}/unread`).expect(200);
    const marked = (await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(marked.messages.filter((m: any) => m.isNew).map((m: any) => m.body)).toEqual(['from cat']);
    // The others saw it all along.
    expect((await as(ctx.strapi, cat).get(`/threads/${thread.id}`).expect(200)).body.data.messageCount).toBe(2);

    const after = await reply(ctx.strapi, bob, thread.id, 'after the block');
    const now = (await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(now.messages.map((m: any) => m.body)).toEqual(['from cat', 'after the block']);
    expect(now).toMatchObject({ messageCount: 2, unreadCount: 2, lastMessageAt: after.createdAt });
    expect(await driftedCounters(ctx.strapi, [await threadIdOf(ctx.strapi, thread.id)])).toEqual([]);
    expect(await unreadCount(ctx.strapi, ann)).toEqual(await recountedUnread(ctx.strapi, ann.id));
  });

  it('keeps each block period: blocking again holds back only what is written then', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const { thread } = await startThread(ctx.strapi, cat, [ann, bob], { body: 'from cat' });
    await block(ann, bob.id).expect(201);
    await reply(ctx.strapi, bob, thread.id, 'first block');
    await as(ctx.strapi, ann).del(`/blocks/${bob.id}`).expect(204);
    await reply(ctx.strapi, bob, thread.id, 'between');
    const again = (await block(ann, bob.id).expect(201)).body.data;
    expect((await as(ctx.strapi, ann).get('/blocks').expect(200)).body.data).toEqual([again]);
    await reply(ctx.strapi, bob, thread.id, 'second block');
    await as(ctx.strapi, ann).del(`/blocks/${bob.id}`).expect(204);
    // Blocking and lifting with nothing written in between holds nothing back.
    await block(ann, bob.id).expect(201);
    await as(ctx.strapi, ann).del(`/blocks/${bob.id}`).expect(204);
    await reply(ctx.strapi, bob, thread.id, 'after');

    const view = (await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(view.messages.map((m: any) => m.body)).toEqual(['from cat', 'between', 'after']);
    expect(view).toMatchObject({ messageCount: 3, unreadCount: 3 });
    expect((await as(ctx.strapi, ann).get('/blocks').expect(200)).body.data).toEqual([]);
    expect(await driftedCounters(ctx.strapi, [await threadIdOf(ctx.strapi, thread.id)])).toEqual([]);
  });

  it('a thread removed before the block does not come back through what was held back, nor count on mark-unread', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const { thread } = await startThread(ctx.strapi, cat, [ann, bob], { body: 'from cat' });
    await as(ctx.strapi, ann).del(`/threads/${thread.id}`).expect(204);
    await block(ann, bob.id).expect(201);
    await reply(ctx.strapi, bob, thread.id, 'written during the block');
    await as(ctx.strapi, ann).del(`/blocks/${bob.id}`).expect(204);

    await as(ctx.strapi, ann).post(`/threads/${thread.id}/unread`).expect(200);
    expect(await unreadCount(ctx.strapi, ann)).toEqual({ threads: 0, messages: 0 });
    expect((await as(ctx.strapi, ann).get('/threads').expect(200)).body.data).toEqual([]);
    const view = (await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(view).toMatchObject({ messages: [], messageCount: 0, unreadCount: 0, lastMessageAt: null });
    expect(await driftedCounters(ctx.strapi, [await threadIdOf(ctx.strapi, thread.id)])).toEqual([]);
  });

  it('a new thread started as the block lands is not delivered to the blocker (rules bypassed: the programmatic API)', async () => {
    const [ann, bob] = await ctx.users(2);
    await block(ann, bob.id).expect(201);
    const messaging = ctx.strapi.plugin('private-messages').service('messaging');
    const { thread } = await messaging.send({ author: bob.id, recipients: [ann.id], body: 'sent past the rules' }, { bypassRules: true });
    expect(await unreadCount(ctx.strapi, ann)).toEqual({ threads: 0, messages: 0 });
    expect((await as(ctx.strapi, ann).get('/threads').expect(200)).body.data).toEqual([]);
    expect((await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data).toMatchObject({ messages: [], messageCount: 0 });
    expect(await driftedCounters(ctx.strapi, [await threadIdOf(ctx.strapi, thread.id)])).toEqual([]);
  });

  it('hides the blocker from the blocked user’s recipient search', async () => {
    const [ann, bob] = await ctx.users(2);
    await block(ann, bob.id).expect(201);
    const res = await as(ctx.strapi, bob).get(`/recipients?q=${ann.username}`).expect(200);
    expect(res.body.data).toEqual([]);
  });
});

describe('an unblockable role in the settings', () => {
  it('applies to users moved into the role later', async () => {
    const staff = await createRole(ctx.strapi, 'Staff');
    const [ann, bob] = await ctx.users(2);
    await settings().update({ unblockableRoles: [staff.id] });
    try {
      await setRole(ctx.strapi, bob.id, staff.id);
      const jwt = await login(ctx.strapi, bob.username);
      expect(jwt).toEqual(expect.any(String));
      await block(ann, bob.id).expect(403);
    } finally {
      await settings().update({ unblockableRoles: [] });
    }
  });
});
