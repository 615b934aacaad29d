import { as, reply, startThread } from '../helpers/api';
import { expectValidationError } from '../helpers/assertions';
import { useStrapi } from '../helpers/setup';
import type { TestUser } from '../helpers/users';
import { backfillArchived, backfillSent } from '../../server/src/repositories/membership-folders';

/*
 * Folders: inbox, archived, all (both), sent (threads with a message of the caller's that they
 * have not deleted). Archiving is not removing; a message from someone else brings an archived
 * thread back to the inbox, the caller's own does not.
 */
const ctx = useStrapi();

type Page = { data: any[]; meta: { nextCursor: string | null } };

const list = async (user: TestUser, query: Record<string, string | number> = {}) => {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return (await as(ctx.strapi, user).get(`/threads?${qs}`).expect(200)).body as Page;
};
const ids = async (user: TestUser, folder: string, query: Record<string, string | number> = {}) =>
  (await list(user, { folder, ...query })).data.map((t) => t.id);

/** Every page of a folder, one thread per page, following nextCursor. */
const walk = async (user: TestUser, query: Record<string, string | number>) => {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await list(user, { ...query, limit: 1, ...(cursor ? { cursor } : {}) });
    seen.push(...page.data.map((t) => t.id));
    cursor = page.meta.nextCursor;
  } while (cursor && seen.length < 50);
  return seen;
};

const archive = (user: TestUser, id: string) => as(ctx.strapi, user).post(`/threads/${id}/archive`).expect(200);
const unarchive = (user: TestUser, id: string) => as(ctx.strapi, user).post(`/threads/${id}/unarchive`).expect(200);

describe('folders and archive', () => {
  let me: TestUser, ann: TestUser, bob: TestUser, cat: TestUser;

  beforeAll(async () => {
    [me, ann, bob, cat] = await ctx.users(4);
  });

  it('archives a thread: out of the inbox, in archived and all, its whole history still readable', async () => {
    const { thread } = await startThread(ctx.strapi, ann, [me], { subject: 'Archive me' });
    await reply(ctx.strapi, ann, thread.id, 'Second');
    const res = await archive(me, thread.id);
    expect(res.body.data).toMatchObject({ id: thread.id, folder: 'archived', messageCount: 2, unreadCount: 2 });
    expect(await ids(me, 'inbox')).not.toContain(thread.id);
    expect(await ids(me, 'archived')).toContain(thread.id);
    expect(await ids(me, 'all')).toContain(thread.id);
    expect((await as(ctx.strapi, me).get(`/threads/${thread.id}`).expect(200)).body.data).toMatchObject({ folder: 'archived', messageCount: 2 });
    expect((await as(ctx.strapi, me).get(`/threads/${thread.id}`).expect(200)).body.data.messages).toHaveLength(2);
    // Ann's folders are her own.
    expect(await ids(ann, 'inbox')).toContain(thread.id);
    expect((await list(ann, { folder: 'inbox' })).data.find((t) => t.id === thread.id).folder).toBe('inbox');
    // Unarchiving brings it back.
    expect((await unarchive(me, thread.id)).body.data.folder).toBe('inbox');
    expect(await ids(me, 'inbox')).toContain(thread.id);
    expect(await ids(me, 'archived')).not.toContain(thread.id);
  });

  it('a message from someone else brings an archived thread back to the inbox; the caller’s own reply does not', async () => {
    const { thread } = await startThread(ctx.strapi, ann, [me, bob], { subject: 'Back and forth' });
    await archive(me, thread.id);
    await reply(ctx.strapi, me, thread.id, 'My own reply');
    expect(await ids(me, 'archived')).toContain(thread.id);
    expect(await ids(me, 'inbox')).not.toContain(thread.id);
    // It moved up in the archive, and is in my Sent list now.
    expect((await ids(me, 'archived'))[0]).toBe(thread.id);
    expect(await ids(me, 'sent')).toContain(thread.id);

    await reply(ctx.strapi, bob, thread.id, 'Someone else');
    expect((await ids(me, 'inbox'))[0]).toBe(thread.id);
    expect(await ids(me, 'archived')).not.toContain(thread.id);
    expect((await list(me, { folder: 'inbox' })).data[0]).toMatchObject({ id: thread.id, folder: 'inbox', unreadCount: 1 });
  });

  it('removing is not archiving: a removed thread is in no folder until the next message', async () => {
    const { thread } = await startThread(ctx.strapi, me, [ann], { subject: 'Removed' });
    await archive(me, thread.id);
    await as(ctx.strapi, me).del(`/threads/${thread.id}`).expect(204);
    for (const folder of ['inbox', 'archived', 'all', 'sent']) expect({ folder, listed: (await ids(me, folder)).includes(thread.id) }).toEqual({ folder, listed: false });
    // The next message brings it back to the inbox (not the archive), showing only what is new.
    await reply(ctx.strapi, ann, thread.id, 'After the removal');
    expect(await ids(me, 'inbox')).toContain(thread.id);
    expect(await ids(me, 'archived')).not.toContain(thread.id);
    expect(await ids(me, 'sent')).not.toContain(thread.id);
    expect((await as(ctx.strapi, me).get(`/threads/${thread.id}`).expect(200)).body.data).toMatchObject({ folder: 'inbox', messageCount: 1 });
  });

  it('archiving a removed thread leaves it removed: the caller\'s own next reply brings it to the inbox, not the archive', async () => {
    const { thread } = await startThread(ctx.strapi, me, [ann], { subject: 'Removed, then archived' });
    await as(ctx.strapi, me).del(`/threads/${thread.id}`).expect(204);
    await archive(me, thread.id);
    expect(await ids(me, 'archived')).not.toContain(thread.id);
    await reply(ctx.strapi, me, thread.id, 'Back again');
    expect(await ids(me, 'inbox')).toContain(thread.id);
    expect(await ids(me, 'archived')).not.toContain(thread.id);
  });

  it('sent lists threads with a message of the caller’s they have not deleted', async () => {
    const started = (await startThread(ctx.strapi, me, [cat], { subject: 'Sent: started' })).thread;
    const received = (await startThread(ctx.strapi, cat, [me], { subject: 'Sent: received' })).thread;
    const answered = (await startThread(ctx.strapi, cat, [me], { subject: 'Sent: answered' })).thread;
    const mine = await reply(ctx.strapi, me, answered.id, 'My answer');
    const sent = await ids(me, 'sent', { q: 'Sent:' });
    expect(sent).toEqual([answered.id, started.id]);
    expect(sent).not.toContain(received.id);
    expect(await ids(cat, 'sent', { q: 'Sent:' })).toEqual([answered.id, received.id]);
    // Deleting my only message there takes the thread out of my Sent list (it stays in my inbox).
    await as(ctx.strapi, me).del(`/messages/${mine.id}`).expect(204);
    expect(await ids(me, 'sent', { q: 'Sent:' })).toEqual([started.id]);
    expect(await ids(me, 'inbox', { q: 'Sent:' })).toContain(answered.id);
    // Archived threads are in Sent too.
    await archive(me, started.id);
    expect(await ids(me, 'sent', { q: 'Sent:' })).toEqual([started.id]);
  });

  it('leaving a group takes it out of every folder', async () => {
    const { thread } = await startThread(ctx.strapi, me, [ann, bob], { subject: 'Leaving' });
    await as(ctx.strapi, me).post(`/threads/${thread.id}/leave`).expect(204);
    for (const folder of ['inbox', 'archived', 'all', 'sent']) expect({ folder, listed: (await ids(me, folder)).includes(thread.id) }).toEqual({ folder, listed: false });
  });

  it('bulk archive and unarchive, all or nothing', async () => {
    const a = (await startThread(ctx.strapi, ann, [bob], { subject: 'Bulk A' })).thread;
    const b = (await startThread(ctx.strapi, cat, [bob], { subject: 'Bulk B' })).thread;
    const notMine = (await startThread(ctx.strapi, ann, [cat], { subject: 'Bulk C' })).thread;
    const res = await as(ctx.strapi, bob).post('/threads/actions', { action: 'archive', threadIds: [a.id, b.id] }).expect(200);
    expect(res.body.data).toEqual({ updated: 2 });
    expect(await ids(bob, 'archived', { q: 'Bulk' })).toEqual([b.id, a.id]);
    expect(await ids(bob, 'inbox', { q: 'Bulk' })).toEqual([]);
    // One thread not theirs: a 404, and nothing changes.
    await as(ctx.strapi, bob).post('/threads/actions', { action: 'unarchive', threadIds: [a.id, notMine.id] }).expect(404);
    expect(await ids(bob, 'archived', { q: 'Bulk' })).toEqual([b.id, a.id]);
    await as(ctx.strapi, bob).post('/threads/actions', { action: 'unarchive', threadIds: [a.id] }).expect(200);
    expect(await ids(bob, 'inbox', { q: 'Bulk' })).toEqual([a.id]);
    expectValidationError(await as(ctx.strapi, bob).post('/threads/actions', { action: 'archive', threadIds: [a.id], tagIds: ['x'] }), ['tagIds']);
  });

  it('counts unread over the inbox and the archive; requests is 0 while message requests are off', async () => {
    const [u, v] = await ctx.users(2);
    const t1 = (await startThread(ctx.strapi, v, [u])).thread;
    await startThread(ctx.strapi, v, [u]);
    await archive(u, t1.id);
    const counts = async () => (await as(ctx.strapi, u).get('/unread-count').expect(200)).body.data;
    expect(await counts()).toEqual({ threads: 2, messages: 2, requests: 0 });
    await as(ctx.strapi, u).del(`/threads/${t1.id}`).expect(204);
    expect(await counts()).toEqual({ threads: 1, messages: 1, requests: 0 });
  });

  it('every folder takes the filters and the cursor', async () => {
    const [u, v, w] = await ctx.users(3);
    const tag = (await as(ctx.strapi, u).post('/tags', { name: 'keep' }).expect(201)).body.data;
    const t: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      // Even ones with v, odd ones with w; u writes in the first four; 1, 3 and 5 archived; 0-2 tagged.
      const other = i % 2 === 0 ? v : w;
      const id = (await startThread(ctx.strapi, other, [u], { subject: `Filter ${i}` })).thread.id;
      if (i < 4) await reply(ctx.strapi, u, id, 'mine');
      if (i % 2 === 1) await archive(u, id);
      if (i < 3) await as(ctx.strapi, u).put(`/threads/${id}/tags`, { tags: [tag.id] }).expect(200);
      t.push(id);
    }
    // Newest activity first: 5, 4, then 3..0 (u's replies came after each start).
    expect(await walk(u, { folder: 'inbox' })).toEqual([t[4], t[2], t[0]]);
    expect(await walk(u, { folder: 'archived' })).toEqual([t[5], t[3], t[1]]);
    expect(await walk(u, { folder: 'all' })).toEqual([t[5], t[4], t[3], t[2], t[1], t[0]]);
    expect(await walk(u, { folder: 'sent' })).toEqual([t[3], t[2], t[1], t[0]]);
    expect(await walk(u, {})).toEqual(await walk(u, { folder: 'inbox' }));

    expect(await walk(u, { folder: 'archived', participant: w.id })).toEqual([t[5], t[3], t[1]]);
    expect(await walk(u, { folder: 'archived', participant: v.id })).toEqual([]);
    expect(await walk(u, { folder: 'sent', tag: tag.id })).toEqual([t[2], t[1], t[0]]);
    expect(await walk(u, { folder: 'all', tag: tag.id })).toEqual([t[2], t[1], t[0]]);
    expect(await walk(u, { folder: 'archived', q: 'filter 3' })).toEqual([t[3]]);
    expect(await walk(u, { folder: 'sent', q: 'Filter' })).toEqual([t[3], t[2], t[1], t[0]]);
    // Unread: only 4 and 5 (u answered the others, which read them).
    expect(await walk(u, { folder: 'all', unread: 'true' })).toEqual([t[5], t[4]]);
    expect(await walk(u, { folder: 'archived', unread: 'true' })).toEqual([t[5]]);
    expect(await walk(u, { folder: 'sent', unread: 'true' })).toEqual([]);
  });

  it('requests is empty while message requests are off (the default); an unknown folder is a 400', async () => {
    expect(await list(me, { folder: 'requests' })).toEqual({ data: [], meta: { nextCursor: null } });
    expectValidationError(await as(ctx.strapi, me).get('/threads?folder=trash'), ['folder']);
  });

  it('archive and unarchive are 404 for a thread the caller is not in', async () => {
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await as(ctx.strapi, cat).post(`/threads/${thread.id}/archive`).expect(404);
    await as(ctx.strapi, cat).post(`/threads/${thread.id}/unarchive`).expect(404);
    expectValidationError(await as(ctx.strapi, ann).post(`/threads/${thread.id}/archive`, { now: true }), ['now']);
  });

  it('a database from before folders: threads the importer kept out of the inbox become archived, Sent lists are filled', async () => {
    const [u, v] = await ctx.users(2);
    const kept = (await startThread(ctx.strapi, v, [u], { subject: 'Old import' })).thread.id;
    const removed = (await startThread(ctx.strapi, v, [u], { subject: 'Old removed' })).thread.id;
    const mine = (await startThread(ctx.strapi, u, [v], { subject: 'Old mine' })).thread.id;
    await as(ctx.strapi, u).del(`/threads/${removed}`).expect(204);
    const knex = ctx.strapi.db.connection;
    const threadIds = knex('pm_threads').select('id').whereIn('document_id', [kept, removed, mine]);
    // As such a database holds them: no archived or has_sent yet, the archived thread out of the inbox.
    await knex('pm_memberships').where('user_id', u.id).whereIn('thread_id', threadIds).update({ archived: null, has_sent: null });
    await knex('pm_memberships').where('user_id', u.id).whereIn('thread_id', knex('pm_threads').select('id').where('document_id', kept)).update({ in_inbox: false });
    expect(await ids(u, 'inbox')).toEqual([]);
    await backfillArchived(knex);
    await backfillSent(knex);
    expect(await ids(u, 'archived')).toEqual([kept]);
    expect(await ids(u, 'inbox')).toEqual([mine]);
    expect(await ids(u, 'sent')).toEqual([mine]);
    // Run again: nothing changes.
    await backfillArchived(knex);
    expect(await ids(u, 'all')).toEqual([mine, kept]);
  });
});
