/**
 * Role messages are broadcasts (docs/api.md, *Messages to roles are broadcasts*): each holder of the role sees a conversation between
 * the author and themselves (plus the role), a holder's reply reaches the author only, the author's
 * replies reach every holder, and no answer (thread, inbox, filters, counts, emails, reports) reveals
 * who else holds the role. Listed users of a mixed thread see each other and the author.
 */
import { as, reply, unreadCount } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { useSmtp } from '../helpers/smtp';
import { createRole, grant, pluginActions, setRole, type TestUser } from '../helpers/users';
import { recountMemberships } from '../../server/src/repositories/membership-read-state';

const { smtp, env } = useSmtp();
const ctx = useStrapi({ env });

const knex = () => ctx.strapi.db.connection;
const outbox = () => ctx.strapi.plugin('private-messages').service('outbox');
const messaging = () => ctx.strapi.plugin('private-messages').service('messaging');
const drain = async () => {
  await outbox().drain();
  await outbox().drain();
};
const emailOf = (u: TestUser) => `${u.username}@example.test`;
const ids = (users: { id: number }[]) => users.map((u) => u.id).sort((a, b) => a - b);

const inboxOf = async (user: TestUser, query = '') => (await as(ctx.strapi, user).get(`/threads${query}`).expect(200)).body.data as any[];
const viewOf = async (user: TestUser, id: string) => (await as(ctx.strapi, user).get(`/threads/${id}`).expect(200)).body.data;
const listed = async (user: TestUser, id: string) => (await inboxOf(user)).find((t) => t.id === id);
const bodies = (view: any) => view.messages.map((m: any) => m.body);

/** Members' stored counts equal the counts recomputed from the messages (recountMemberships, the definition). */
const expectExactCounts = async (threadDocumentId: string) => {
  const { id } = await knex()('pm_threads').select('id').where('document_id', threadDocumentId).first();
  const read = async () =>
    (await knex()('pm_memberships').select('user_id', 'unread_count', 'message_count').where('thread_id', id).orderBy('user_id')).map((r: any) => ({
      user: Number(r.user_id),
      unread: Number(r.unread_count),
      messages: Number(r.message_count),
    }));
  const stored = await read();
  await recountMemberships(knex(), [Number(id)]);
  expect(await read()).toEqual(stored);
};

let author: TestUser, a: TestUser, b: TestUser, c: TestUser, lee: TestUser, lou: TestUser;
let role: { id: number; name: string };

const broadcast = async (from: TestUser, recipients: object[], body: string) =>
  (await as(ctx.strapi, from).post('/threads', { recipients, subject: 'News', body }).expect(201)).body.data as { thread: any; message: any };

beforeAll(async () => {
  [author, a, b, c, lee, lou] = await ctx.users(6);
  role = await createRole(ctx.strapi, `Premium ${Date.now()}`);
  await grant(ctx.strapi, role.id, pluginActions(ctx.strapi));
  for (const u of [a, b, c]) await setRole(ctx.strapi, u.id, role.id);
  for (const u of [author, a, b, c, lee, lou]) await as(ctx.strapi, u).put('/preferences', { emailNotifications: 'every' }).expect(200);
});

describe('a message to a role', () => {
  let thread: any;
  beforeAll(async () => {
    ({ thread } = await broadcast(author, [{ type: 'role', id: role.id }], 'Hello all'));
    await drain();
  });

  it('shows each holder the author, themselves and the role, never the other holders', async () => {
    expect(thread.roles).toEqual([{ id: role.id, name: role.name }]);
    expect(ids(thread.participants)).toEqual(ids([author, a, b, c]));
    expect(thread.participantCount).toBe(4);
    for (const holder of [a, b, c]) {
      for (const seen of [await viewOf(holder, thread.id), await listed(holder, thread.id)]) {
        expect(ids(seen.participants)).toEqual(ids([author, holder]));
        expect(seen).toMatchObject({ participantCount: 2, isGroup: false, roles: [{ id: role.id, name: role.name }], messageCount: 1, unreadCount: 1 });
      }
    }
    // Threads without roles say so.
    const { thread: plain } = (await as(ctx.strapi, author).post('/threads', { recipients: [{ type: 'user', id: lee.id }], body: 'Hi' }).expect(201)).body.data;
    expect(plain.roles).toEqual([]);
  });

  it("sends a holder's reply to the author only", async () => {
    const authorBefore = await unreadCount(ctx.strapi, author);
    const bBefore = await unreadCount(ctx.strapi, b);
    const mailsToB = smtp.to(emailOf(b)).length;
    const mailsToAuthor = smtp.to(emailOf(author)).length;
    const secret = await reply(ctx.strapi, a, thread.id, 'Only for the author');
    await drain();

    // The author: one more unread message, and the reply in the thread, its last message and an email.
    expect(await unreadCount(ctx.strapi, author)).toEqual({ threads: authorBefore.threads + 1, messages: authorBefore.messages + 1 });
    const authorView = await viewOf(author, thread.id);
    expect(bodies(authorView)).toEqual(['Hello all', 'Only for the author']);
    expect(authorView).toMatchObject({ messageCount: 2, unreadCount: 1, lastMessage: { excerpt: 'Only for the author' } });
    expect(smtp.to(emailOf(author))).toHaveLength(mailsToAuthor + 1);

    // The replier sees their own reply.
    expect(bodies(await viewOf(a, thread.id))).toEqual(['Hello all', 'Only for the author']);

    // Another holder: nothing changed.
    expect(await unreadCount(ctx.strapi, b)).toEqual(bBefore);
    for (const seen of [await viewOf(b, thread.id), await listed(b, thread.id)]) {
      expect(seen).toMatchObject({ messageCount: 1, unreadCount: 1, lastMessage: { excerpt: 'Hello all' } });
    }
    expect(bodies(await viewOf(b, thread.id))).toEqual(['Hello all']);
    expect((await as(ctx.strapi, b).get(`/threads/${thread.id}/messages`).expect(200)).body.data.map((m: any) => m.body)).toEqual(['Hello all']);
    expect(smtp.to(emailOf(b))).toHaveLength(mailsToB);
    // Nor can they reach it otherwise.
    await as(ctx.strapi, b).post(`/messages/${secret.id}/report`, { reason: 'Rude' }).expect(404);
    await expectExactCounts(thread.id);
  });

  it("sends the author's replies to every holder", async () => {
    const before = await Promise.all([a, b, c].map((u) => unreadCount(ctx.strapi, u)));
    await reply(ctx.strapi, author, thread.id, 'To everyone');
    await drain();
    for (const [i, holder] of [a, b, c].entries()) {
      expect((await unreadCount(ctx.strapi, holder)).messages).toBe(before[i].messages + 1);
      expect(smtp.to(emailOf(holder)).some((m) => m.raw.includes('To everyone'))).toBe(true);
    }
    expect(bodies(await viewOf(b, thread.id))).toEqual(['Hello all', 'To everyone']);
    expect(bodies(await viewOf(a, thread.id))).toEqual(['Hello all', 'Only for the author', 'To everyone']);
    expect(await listed(c, thread.id)).toMatchObject({ messageCount: 2, unreadCount: 2, lastMessage: { excerpt: 'To everyone' } });

    // A later private reply does not become the other holders' last message or move their inbox.
    const cBefore = await listed(c, thread.id);
    await reply(ctx.strapi, b, thread.id, 'Private from b');
    await drain();
    const cAfter = await listed(c, thread.id);
    expect(cAfter).toMatchObject({ messageCount: 2, unreadCount: 2, lastMessage: { excerpt: 'To everyone' }, lastMessageAt: cBefore.lastMessageAt });
    expect(smtp.to(emailOf(c)).some((m) => m.raw.includes('Private from b'))).toBe(false);
    await expectExactCounts(thread.id);
  });

  it('keeps the other holders out of the participant filter', async () => {
    expect(await inboxOf(b, `?participant=${a.id}`)).toEqual([]);
    expect(await inboxOf(b, `?participant=${c.id}`)).toEqual([]);
    expect((await inboxOf(b, `?participant=${author.id}`)).map((t) => t.id)).toContain(thread.id);
    expect((await inboxOf(b, `?participant=${b.id}`)).map((t) => t.id)).toContain(thread.id);
    expect((await inboxOf(author, `?participant=${a.id}`)).map((t) => t.id)).toContain(thread.id);
  });

  it('marks unread the newest message the holder can see', async () => {
    await as(ctx.strapi, c).post(`/threads/${thread.id}/read`).expect(200);
    await reply(ctx.strapi, a, thread.id, 'Another private one');
    expect((await as(ctx.strapi, c).post(`/threads/${thread.id}/unread`).expect(200)).body.data).toEqual({ unreadCount: 1 });
    const view = await viewOf(c, thread.id);
    expect(view.messages.filter((m: any) => m.isNew).map((m: any) => m.body)).toEqual(['To everyone']);
    await expectExactCounts(thread.id);
  });
});

describe('a thread to users and a role', () => {
  it('shows the listed users each other and the author, and hides the holders from them', async () => {
    const { thread } = await broadcast(author, [{ type: 'user', id: lee.id }, { type: 'user', id: lou.id }, { type: 'role', id: role.id }], 'Mixed');
    await drain();
    expect(ids((await viewOf(author, thread.id)).participants)).toEqual(ids([author, lee, lou, a, b, c]));
    for (const user of [lee, lou]) {
      for (const seen of [await viewOf(user, thread.id), await listed(user, thread.id)]) {
        expect(ids(seen.participants)).toEqual(ids([author, lee, lou]));
        expect(seen).toMatchObject({ participantCount: 3, isGroup: true, roles: [{ id: role.id, name: role.name }] });
      }
    }
    expect(ids((await viewOf(a, thread.id)).participants)).toEqual(ids([author, a]));
    expect(await inboxOf(lee, `?participant=${a.id}`)).toEqual([]);
    expect((await inboxOf(lee, `?participant=${lou.id}`)).map((t) => t.id)).toEqual([thread.id]);
    expect(await inboxOf(a, `?participant=${lee.id}`)).toEqual([]);

    // A listed user's reply: the author and the listed users, not the holders.
    const aBefore = await unreadCount(ctx.strapi, a);
    await reply(ctx.strapi, lee, thread.id, 'From Lee');
    await drain();
    expect(bodies(await viewOf(lou, thread.id))).toEqual(['Mixed', 'From Lee']);
    expect(bodies(await viewOf(author, thread.id))).toEqual(['Mixed', 'From Lee']);
    expect(bodies(await viewOf(a, thread.id))).toEqual(['Mixed']);
    expect(await unreadCount(ctx.strapi, a)).toEqual(aBefore);
    expect(smtp.to(emailOf(a)).some((m) => m.raw.includes('From Lee'))).toBe(false);
    expect(smtp.to(emailOf(lou)).some((m) => m.raw.includes('From Lee'))).toBe(true);

    // A holder's reply: the author only.
    await reply(ctx.strapi, a, thread.id, 'From a');
    await drain();
    expect(bodies(await viewOf(author, thread.id))).toEqual(['Mixed', 'From Lee', 'From a']);
    expect(bodies(await viewOf(lee, thread.id))).toEqual(['Mixed', 'From Lee']);
    expect(bodies(await viewOf(b, thread.id))).toEqual(['Mixed']);

    // The author's reply: everyone.
    await reply(ctx.strapi, author, thread.id, 'All of you');
    await drain();
    for (const u of [lee, lou, a, b, c]) expect(bodies(await viewOf(u, thread.id)).at(-1)).toBe('All of you');
    expect((await listed(lee, thread.id)).messageCount).toBe(3);
    expect((await listed(b, thread.id)).messageCount).toBe(2);
    await expectExactCounts(thread.id);
  });
});

describe('blocks and leaving, per recipient', () => {
  it('apply to each holder as in any thread', async () => {
    const { thread } = await broadcast(author, [{ type: 'role', id: role.id }], 'Again');
    await drain();
    // b blocks the author: the author's later messages do not reach b, and still reach c.
    await as(ctx.strapi, b).post('/blocks', { userId: author.id }).expect(201);
    // c leaves the broadcast (a group for the author, so it can be left).
    await as(ctx.strapi, c).post(`/threads/${thread.id}/leave`).expect(204);
    await reply(ctx.strapi, author, thread.id, 'After');
    await drain();
    expect(bodies(await viewOf(b, thread.id))).toEqual(['Again']);
    expect(bodies(await viewOf(a, thread.id))).toEqual(['Again', 'After']);
    await as(ctx.strapi, c).get(`/threads/${thread.id}`).expect(404);
    // The holders still see only the author and themselves; the author sees who left.
    expect(ids((await viewOf(a, thread.id)).participants)).toEqual(ids([author, a]));
    const authorView = await viewOf(author, thread.id);
    expect(authorView.participants.find((p: any) => p.id === c.id)?.left).toBe(true);
    await expectExactCounts(thread.id);
    await as(ctx.strapi, b).del(`/blocks/${author.id}`).expect(204);

    // The author blocks a: a's replies, which go to the author only, are refused as in a 1:1 thread.
    await as(ctx.strapi, author).post('/blocks', { userId: a.id }).expect(201);
    const refused = await as(ctx.strapi, a).post(`/threads/${thread.id}/messages`, { body: 'Hello?' }).expect(403);
    expect(refused.body.error.details.refused.map((r: any) => r.code)).toEqual(['blocked']);
    await as(ctx.strapi, author).del(`/blocks/${a.id}`).expect(204);
  });
});

describe('a role of more than a hundred holders', () => {
  it("touches only the author's and the replier's state for a holder's reply; the author's reply reaches all", async () => {
    const crowd = await createRole(ctx.strapi, `Crowd ${Date.now()}`);
    await grant(ctx.strapi, crowd.id, pluginActions(ctx.strapi));
    const [first, second] = await ctx.users(2);
    for (const u of [first, second]) await setRole(ctx.strapi, u.id, crowd.id);
    for (let i = 0; i < 110; i += 1) {
      await ctx.strapi.db.query('plugin::users-permissions.user').create({
        data: { username: `holder${i}`, email: `holder${i}@example.test`, provider: 'local', confirmed: true, blocked: false, role: crowd.id },
      });
    }
    const { thread } = await broadcast(author, [{ type: 'role', id: crowd.id }], 'Big news');
    await drain();
    const { id: threadId } = await knex()('pm_threads').select('id').where('document_id', thread.id).first();
    const marks = async () =>
      (await knex()('pm_memberships').select('user_id', 'updated_at', 'unread_count').where('thread_id', threadId).orderBy('user_id')).map((r: any) => [
        Number(r.user_id),
        String(r.updated_at),
        Number(r.unread_count),
      ]);
    const before = await marks();
    await messaging().reply({ author: first.id, threadId: thread.id, body: 'Just to you' });
    await drain();
    const after = await marks();
    const changed = after.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before[i])).map((row) => row[0]);
    expect(changed.sort((x, y) => Number(x) - Number(y))).toEqual(ids([author, first]));
    expect(await listed(second, thread.id)).toMatchObject({ messageCount: 1, unreadCount: 1, lastMessage: { excerpt: 'Big news' } });

    await reply(ctx.strapi, author, thread.id, 'Big reply');
    await drain();
    expect(await listed(second, thread.id)).toMatchObject({ messageCount: 2, unreadCount: 2, lastMessage: { excerpt: 'Big reply' } });
    expect(bodies(await viewOf(first, thread.id))).toEqual(['Big news', 'Just to you', 'Big reply']);
    await expectExactCounts(thread.id);
  }, 120_000);
});
