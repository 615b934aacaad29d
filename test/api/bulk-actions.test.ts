import { as, reply, startThread, unreadCount } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { createRole, grant, pluginActions, setRole, type TestUser } from '../helpers/users';
import { expectValidationError } from '../helpers/assertions';

const ctx = useStrapi();

const act = (user: TestUser, body: object) => as(ctx.strapi, user).post('/threads/actions', body);

const inboxOf = async (user: TestUser) =>
  (await as(ctx.strapi, user).get('/threads?limit=100').expect(200)).body.data as any[];

const threadOf = async (user: TestUser, id: string) => (await as(ctx.strapi, user).get(`/threads/${id}`).expect(200)).body.data;

const createTag = async (user: TestUser, name: string) =>
  (await as(ctx.strapi, user).post('/tags', { name }).expect(201)).body.data as { id: string; name: string };

/** Everything about a user's threads that an action could change. */
const stateOf = async (user: TestUser) => ({
  counts: await unreadCount(ctx.strapi, user),
  inbox: (await inboxOf(user)).map((t) => ({ id: t.id, unread: t.unreadCount, messages: t.messageCount, tags: t.tags })),
});

/** `n` threads to `me`, each with two messages from others, unread. */
const unreadThreads = async (me: TestUser, others: TestUser[], n: number) => {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const author = others[i % others.length];
    const { thread } = await startThread(ctx.strapi, author, [me], { subject: `t${i}`, body: `first ${i}` });
    await reply(ctx.strapi, author, thread.id, `second ${i}`);
    ids.push(thread.id);
  }
  return ids;
};

describe('POST /threads/actions: markRead, markUnread, delete', () => {
  it('marks many threads read at once, for the caller only', async () => {
    const [me, ann, bob] = await ctx.users(3);
    const ids = await unreadThreads(me, [ann, bob], 3);
    const untouched = (await startThread(ctx.strapi, ann, [me])).thread.id;
    expect(await unreadCount(ctx.strapi, me)).toEqual({ threads: 4, messages: 7 });

    const res = await act(me, { action: 'markRead', threadIds: ids }).expect(200);
    expect(res.body).toEqual({ data: { updated: 3 } });
    expect(await unreadCount(ctx.strapi, me)).toEqual({ threads: 1, messages: 1 });
    for (const id of ids) expect((await threadOf(me, id)).messages.every((m: any) => !m.isNew)).toBe(true);
    expect((await threadOf(me, untouched)).unreadCount).toBe(1);
    // The authors' read state is theirs.
    await act(ann, { action: 'markRead', threadIds: [ids[0]] }).expect(200);
    expect(await unreadCount(ctx.strapi, ann)).toEqual({ threads: 0, messages: 0 });

    // A new message after the bulk read counts again, as after a single read.
    await reply(ctx.strapi, ann, ids[0], 'later');
    expect(await unreadCount(ctx.strapi, me)).toEqual({ threads: 2, messages: 2 });
  });

  it('marks the newest message from someone else unread in each thread, like the single route', async () => {
    const [me, ann] = await ctx.users(2);
    const [a, b] = await unreadThreads(me, [ann], 2);
    await reply(ctx.strapi, me, a, 'my answer'); // a: read by me, my own message is the newest
    await as(ctx.strapi, me).post(`/threads/${b}/read`).expect(200);
    const mine = (await startThread(ctx.strapi, me, [ann])).thread.id; // nothing from others in it
    expect(await unreadCount(ctx.strapi, me)).toEqual({ threads: 0, messages: 0 });

    const res = await act(me, { action: 'markUnread', threadIds: [a, b, mine] }).expect(200);
    expect(res.body).toEqual({ data: { updated: 3 } });
    expect(await unreadCount(ctx.strapi, me)).toEqual({ threads: 2, messages: 2 });
    expect((await threadOf(me, a)).messages.map((m: any) => [m.body, m.isNew])).toEqual([
      ['first 0', false],
      ['second 0', true],
      ['my answer', false],
    ]);
    expect((await threadOf(me, b)).messages.map((m: any) => m.isNew)).toEqual([false, true]);
    expect((await threadOf(me, mine)).unreadCount).toBe(0);
  });

  it('removes many threads from the inbox; a later reply brings one back with only newer messages', async () => {
    const [me, ann, bob] = await ctx.users(3);
    const ids = await unreadThreads(me, [ann, bob], 3);
    const res = await act(me, { action: 'delete', threadIds: [ids[0], ids[2]] }).expect(200);
    expect(res.body).toEqual({ data: { updated: 2 } });
    expect((await inboxOf(me)).map((t) => t.id)).toEqual([ids[1]]);
    expect(await unreadCount(ctx.strapi, me)).toEqual({ threads: 1, messages: 2 });
    // The other members keep the threads.
    expect((await inboxOf(ann)).map((t) => t.id)).toEqual([ids[2], ids[0]]);

    await reply(ctx.strapi, ann, ids[0], 'are you there?');
    const back = await threadOf(me, ids[0]);
    expect(back).toMatchObject({ messageCount: 1, unreadCount: 1 });
    expect(back.messages.map((m: any) => m.body)).toEqual(['are you there?']);
  });

  it('counts a thread named twice once', async () => {
    const [me, ann] = await ctx.users(2);
    const [id] = await unreadThreads(me, [ann], 1);
    expect((await act(me, { action: 'markRead', threadIds: [id, id] }).expect(200)).body.data).toEqual({ updated: 1 });
  });

  it('takes 100 threads in one request', async () => {
    const [me, ...authors] = await ctx.users(5); // 25 threads each stays under the send rate limit
    const ids: string[] = [];
    for (let i = 0; i < 100; i += 1) ids.push((await startThread(ctx.strapi, authors[i % 4], [me], { body: `m${i}` })).thread.id);
    expect(await unreadCount(ctx.strapi, me)).toEqual({ threads: 100, messages: 100 });
    expect((await act(me, { action: 'markRead', threadIds: ids }).expect(200)).body.data).toEqual({ updated: 100 });
    expect(await unreadCount(ctx.strapi, me)).toEqual({ threads: 0, messages: 0 });
    expect((await act(me, { action: 'delete', threadIds: ids }).expect(200)).body.data).toEqual({ updated: 100 });
    expect(await inboxOf(me)).toEqual([]);
  });
});

describe('POST /threads/actions: concurrency', () => {
  it('keeps unread counts exact while replies arrive during bulk reads and unreads', async () => {
    const [me, ann, bob] = await ctx.users(3);
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) ids.push((await startThread(ctx.strapi, i % 2 ? ann : bob, [me], { body: `start ${i}` })).thread.id);
    const authorOf = (i: number) => (i % 2 ? ann : bob);
    await Promise.all([
      ...Array.from({ length: 16 }, (_, n) => reply(ctx.strapi, authorOf(n % 4), ids[n % 4], `r${n}`)),
      ...Array.from({ length: 8 }, (_, n) =>
        act(me, { action: n % 3 === 2 ? 'markUnread' : 'markRead', threadIds: n % 2 ? ids : [...ids].reverse() }).expect(200)
      ),
    ]);
    // The counter agrees with the watermark in every thread, and the total with the threads.
    let total = 0;
    for (const id of ids) {
      const view = await threadOf(me, id);
      expect(view.unreadCount).toBe(view.messages.filter((m: any) => m.isNew).length);
      total += view.unreadCount;
    }
    expect((await unreadCount(ctx.strapi, me)).messages).toBe(total);
  });
});

describe('POST /threads/actions: addTags, removeTags', () => {
  it('adds tags to many threads, keeping tags already there, and removes them again', async () => {
    const [me, ann, bob] = await ctx.users(3);
    const ids = await unreadThreads(me, [ann, bob], 3);
    const work = await createTag(me, 'work');
    const urgent = await createTag(me, 'Urgent');
    const other = await createTag(me, 'other');
    await as(ctx.strapi, me).put(`/threads/${ids[0]}/tags`, { tags: [work.id, other.id] }).expect(200);

    const res = await act(me, { action: 'addTags', threadIds: ids, tagIds: [work.id, urgent.id] }).expect(200);
    expect(res.body).toEqual({ data: { updated: 3 } });
    expect((await threadOf(me, ids[0])).tags).toEqual([other, urgent, work]);
    expect((await threadOf(me, ids[1])).tags).toEqual([urgent, work]);
    expect((await threadOf(me, ids[2])).tags).toEqual([urgent, work]);
    // Adding again changes nothing.
    await act(me, { action: 'addTags', threadIds: ids, tagIds: [work.id] }).expect(200);
    expect((await threadOf(me, ids[1])).tags).toEqual([urgent, work]);
    // Only the caller sees their tags.
    expect((await threadOf(ann, ids[0])).tags).toEqual([]);

    await act(me, { action: 'removeTags', threadIds: [ids[0], ids[1]], tagIds: [work.id] }).expect(200);
    expect((await threadOf(me, ids[0])).tags).toEqual([other, urgent]);
    expect((await threadOf(me, ids[1])).tags).toEqual([urgent]);
    expect((await threadOf(me, ids[2])).tags).toEqual([urgent, work]);
    // Removing a tag that is not on a thread is fine.
    await act(me, { action: 'removeTags', threadIds: [ids[1]], tagIds: [work.id, other.id] }).expect(200);
    expect((await threadOf(me, ids[1])).tags).toEqual([urgent]);
  });
});

describe('POST /threads/actions: all or nothing', () => {
  let me: TestUser, ann: TestUser, bob: TestUser, cat: TestUser;
  let mine: string[], foreign: string, left: string;
  let tag: { id: string; name: string };
  beforeAll(async () => {
    [me, ann, bob, cat] = await ctx.users(4);
    mine = await unreadThreads(me, [ann, bob], 3);
    foreign = (await startThread(ctx.strapi, ann, [cat])).thread.id;
    left = (await startThread(ctx.strapi, ann, [me, bob])).thread.id;
    await as(ctx.strapi, me).post(`/threads/${left}/leave`).expect(204);
    tag = await createTag(me, 'kept');
    await act(me, { action: 'addTags', threadIds: [mine[0]], tagIds: [tag.id] }).expect(200);
  });

  const bodies = () => [
    { action: 'markRead', threadIds: [...mine] },
    { action: 'markUnread', threadIds: [...mine] },
    { action: 'delete', threadIds: [...mine] },
    { action: 'addTags', threadIds: [...mine], tagIds: [tag.id] },
    { action: 'removeTags', threadIds: [...mine], tagIds: [tag.id] },
  ];

  it.each([
    ['a thread of other users', () => foreign],
    ['a thread the caller left', () => left],
    ['a thread that does not exist', () => 'z'.repeat(24)],
  ])('is a 404 for every action when one thread is %s, and changes nothing', async (_label, intruder) => {
    const before = await stateOf(me);
    const annBefore = await stateOf(ann);
    for (const body of bodies()) {
      // The intruder is last, after threads the action would change.
      const res = await act(me, { ...body, threadIds: [...body.threadIds, intruder()] });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ data: null, error: { status: 404, name: 'NotFoundError', message: 'Thread not found' } });
      expect(res.body.error.details).toEqual({ threadIds: [intruder()] });
      expect(await stateOf(me)).toEqual(before);
    }
    expect(await stateOf(ann)).toEqual(annBefore);
  });

  it('is a 404 for a tag that is not the caller’s, and changes nothing', async () => {
    const before = await stateOf(me);
    const theirs = await createTag(ann, 'theirs');
    for (const action of ['addTags', 'removeTags']) {
      const res = await act(me, { action, threadIds: mine, tagIds: [tag.id, theirs.id] });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ message: 'Tag not found', details: { tagIds: [theirs.id] } });
      const unknown = await act(me, { action, threadIds: mine, tagIds: ['q'.repeat(24)] });
      expect(unknown.status).toBe(404);
    }
    expect(await stateOf(me)).toEqual(before);
  });

  it('leaves the threads usable after a refusal (the transaction was rolled back, not left open)', async () => {
    await act(me, { action: 'markRead', threadIds: [mine[0], foreign] }).expect(404);
    await act(me, { action: 'markRead', threadIds: [mine[0]] }).expect(200);
    expect((await threadOf(me, mine[0])).unreadCount).toBe(0);
  });
});

describe('POST /threads/actions: validation', () => {
  let me: TestUser;
  let id: string;
  beforeAll(async () => {
    let ann: TestUser;
    [me, ann] = await ctx.users(2);
    [id] = await unreadThreads(me, [ann], 1);
  });

  const tooMany = () => Array.from({ length: 101 }, (_, i) => `a${String(i).padStart(23, '0')}`);

  it.each([
    ['no action', () => ({ threadIds: [id] }), ['action']],
    ['an unknown action', () => ({ action: 'shred', threadIds: [id] }), ['action']],
    ['no threadIds', () => ({ action: 'markRead' }), ['threadIds']],
    ['an empty threadIds', () => ({ action: 'markRead', threadIds: [] }), ['threadIds']],
    ['more than 100 threads', () => ({ action: 'markRead', threadIds: tooMany() }), ['threadIds']],
    ['a malformed thread id', () => ({ action: 'delete', threadIds: [id, 'nope'] }), ['threadIds', '1']],
    ['tagIds on markRead', () => ({ action: 'markRead', threadIds: [id], tagIds: [] }), ['tagIds']],
    ['no tagIds on addTags', () => ({ action: 'addTags', threadIds: [id] }), ['tagIds']],
    ['empty tagIds on removeTags', () => ({ action: 'removeTags', threadIds: [id], tagIds: [] }), ['tagIds']],
    ['a malformed tag id', () => ({ action: 'addTags', threadIds: [id], tagIds: ['x'] }), ['tagIds', '0']],
    ['an unknown key', () => ({ action: 'markRead', threadIds: [id], all: true }), ['all']],
  ])('is a 400 for %s, changing nothing', async (_label, body, path) => {
    expectValidationError(await act(me, body()), path);
    expect(await unreadCount(ctx.strapi, me)).toEqual({ threads: 1, messages: 2 });
  });

  it('is a 400 for an unknown query key', async () => {
    expectValidationError(await as(ctx.strapi, me).post('/threads/actions?dryRun=1', { action: 'markRead', threadIds: [id] }), ['dryRun']);
  });
});

describe('POST /threads/actions: permission', () => {
  it('is a users-permissions action of its own, granted per role', async () => {
    expect(pluginActions(ctx.strapi)).toContain('plugin::private-messages.thread-actions.apply');
    const [me, ann] = await ctx.users(2);
    const [id] = await unreadThreads(me, [ann], 1);
    const role = await createRole(ctx.strapi, `No bulk ${Date.now()}`);
    await grant(
      ctx.strapi,
      role.id,
      pluginActions(ctx.strapi).filter((a) => !a.endsWith('thread-actions.apply'))
    );
    await setRole(ctx.strapi, me.id, role.id);

    const res = await act(me, { action: 'markRead', threadIds: [id] });
    expect(res.status).toBe(403);
    expect(await unreadCount(ctx.strapi, me)).toEqual({ threads: 1, messages: 2 });
    // The single-thread route is a separate permission, still granted.
    await as(ctx.strapi, me).post(`/threads/${id}/read`).expect(200);
  });
});
