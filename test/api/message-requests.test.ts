import { as, reply, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { useSmtp } from '../helpers/smtp';
import { listen, openStream, type SseClient } from '../helpers/sse';
import { createRole, grant, pluginActions, setRole, type TestUser } from '../helpers/users';
import { asAdmin, createModerationAdmins } from '../helpers/admin';
import { LISTING, createListing } from '../helpers/listings';

/*
 * Message requests and who may message me: `allowMessagesFrom` (everyone, contacts, nobody), the
 * requests folder for new threads from people who are not contacts (silent: no inbox, no count in
 * threads/messages, no email, no message.created), accept and decline, the request limit, and
 * the daily limits for new accounts and strangers.
 */
const { smtp, env } = useSmtp();
// Asking a seller about a listing is expected: this declaration opts out of requests.
env.PM_CONTEXTS = JSON.stringify({ [LISTING]: { ownerField: 'seller', titleField: 'title', urlTemplate: 'https://shop.example/listings/{documentId}', requests: false } });
const ctx = useStrapi({ env });
const settings = () => ctx.strapi.plugin('private-messages').service('settings');
const outbox = () => ctx.strapi.plugin('private-messages').service('outbox');
const knex = () => ctx.strapi.db.connection;
const emailOf = (u: TestUser) => `${u.username}@example.test`;

const send = (author: TestUser, recipients: TestUser[], extra: Record<string, unknown> = {}) =>
  as(ctx.strapi, author).post('/threads', { recipients: recipients.map((r) => ({ type: 'user', id: r.id })), body: 'Hello', ...extra });
const folder = async (user: TestUser, name: string, query = '') =>
  (await as(ctx.strapi, user).get(`/threads?folder=${name}${query}`).expect(200)).body as { data: any[]; meta: { nextCursor: string | null } };
const ids = async (user: TestUser, name: string) => (await folder(user, name)).data.map((t) => t.id);
const counts = async (user: TestUser) => (await as(ctx.strapi, user).get('/unread-count').expect(200)).body.data;
const canMessage = async (author: TestUser, to: TestUser) => (await as(ctx.strapi, author).get(`/can-message/${to.id}`).expect(200)).body.data;
const allowFrom = (user: TestUser, allowMessagesFrom: string) => as(ctx.strapi, user).put('/preferences', { allowMessagesFrom }).expect(200);
const codesOf = (res: { body: any }) => (res.body.error.details.refused ?? []).map((r: { code: string }) => r.code);

describe('who may message me', () => {
  it('leaves sites as they were by default: everyone, no requests, no limits', async () => {
    const [ann, bob] = await ctx.users(2);
    expect((await as(ctx.strapi, bob).get('/preferences').expect(200)).body.data.allowMessagesFrom).toBe('everyone');
    expect(await canMessage(ann, bob)).toEqual({ allowed: true, asRequest: false, reasons: [] });
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    expect(await ids(bob, 'inbox')).toContain(thread.id);
    expect(await counts(bob)).toEqual({ threads: 1, messages: 1, requests: 0 });
    const s = await settings().get();
    expect(s).toMatchObject({ allowMessagesFromDefault: 'everyone', messageRequests: false, requestMessageLimit: 3, newAccountDays: 0, strangerDailyThreads: 0 });
  });

  it('nobody: refuses every new thread (recipient_not_accepting) but lets existing threads go on', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await allowFrom(bob, 'nobody');
    const res = await send(ann, [bob]).expect(403);
    expect(codesOf(res)).toEqual(['recipient_not_accepting']);
    expect(await canMessage(ann, bob)).toMatchObject({ allowed: false, asRequest: false, reasons: [{ code: 'recipient_not_accepting' }] });
    await reply(ctx.strapi, ann, thread.id, 'Still here');
    await reply(ctx.strapi, bob, thread.id, 'And me');
  });

  it('contacts: someone they wrote to, someone whose message they answered; others are refused (recipient_contacts_only)', async () => {
    const [me, wroteTo, answered, stranger, unanswered] = await ctx.users(5);
    await startThread(ctx.strapi, me, [wroteTo]);
    const { thread } = await startThread(ctx.strapi, answered, [me]);
    await reply(ctx.strapi, me, thread.id, 'Thanks');
    await startThread(ctx.strapi, unanswered, [me]);
    await allowFrom(me, 'contacts');
    await send(wroteTo, [me]).expect(201);
    await send(answered, [me]).expect(201);
    expect(codesOf(await send(stranger, [me]).expect(403))).toEqual(['recipient_contacts_only']);
    // Writing to someone does not make you their contact: only their answer does.
    expect(codesOf(await send(unanswered, [me]).expect(403))).toEqual(['recipient_contacts_only']);
    expect(await canMessage(stranger, me)).toMatchObject({ allowed: false, reasons: [{ code: 'recipient_contacts_only' }] });
    // The site default applies to those who did not choose.
    const [quiet, other] = await ctx.users(2);
    await settings().update({ allowMessagesFromDefault: 'contacts' });
    try {
      expect(codesOf(await send(other, [quiet]).expect(403))).toEqual(['recipient_contacts_only']);
    } finally {
      await settings().update({ allowMessagesFromDefault: 'everyone' });
    }
  });

  it('a registered hook adds the site’s own relation; a hook that throws says no', async () => {
    const [me, follower, other] = await ctx.users(3);
    await allowFrom(me, 'contacts');
    const contacts = ctx.strapi.plugin('private-messages').service('contacts');
    const off = contacts.register(async (userId: number, otherId: number) => userId === me.id && otherId === follower.id);
    const failing = contacts.register(async () => {
      throw new Error('down');
    });
    try {
      await send(follower, [me]).expect(201);
      expect(codesOf(await send(other, [me]).expect(403))).toEqual(['recipient_contacts_only']);
    } finally {
      off();
      failing();
    }
  });

  it('users with an unblockable role always get through, never as a request', async () => {
    const [staff, me] = await ctx.users(2);
    const role = await createRole(ctx.strapi, `support-${Date.now()}`);
    await grant(ctx.strapi, role.id, pluginActions(ctx.strapi));
    await setRole(ctx.strapi, staff.id, role.id);
    await allowFrom(me, 'nobody');
    await settings().update({ unblockableRoles: [role.id], messageRequests: true });
    try {
      expect(await canMessage(staff, me)).toEqual({ allowed: true, asRequest: false, reasons: [] });
      const { thread } = await startThread(ctx.strapi, staff, [me]);
      expect(await ids(me, 'inbox')).toContain(thread.id);
    } finally {
      await settings().update({ unblockableRoles: [], messageRequests: false });
    }
  });
});

describe('message requests', () => {
  beforeAll(async () => {
    await settings().update({ messageRequests: true });
  });
  afterAll(async () => {
    await settings().update({ messageRequests: false });
  });

  it('a new thread from a stranger lands in requests: no inbox, a separate count; the author sees an ordinary thread', async () => {
    const [ann, bob, friend] = await ctx.users(3);
    expect(await canMessage(ann, bob)).toEqual({ allowed: true, asRequest: true, reasons: [] });
    const asked = await startThread(ctx.strapi, ann, [bob], { subject: 'Hi' });
    expect(asked.thread.folder).toBe('inbox');
    expect(await ids(bob, 'inbox')).not.toContain(asked.thread.id);
    expect(await ids(bob, 'all')).not.toContain(asked.thread.id);
    expect(await ids(bob, 'requests')).toEqual([asked.thread.id]);
    expect(await counts(bob)).toEqual({ threads: 0, messages: 0, requests: 1 });
    const seen = (await as(ctx.strapi, bob).get(`/threads/${asked.thread.id}`).expect(200)).body.data;
    expect(seen).toMatchObject({ folder: 'requests', unreadCount: 1, messageCount: 1 });

    // The author's view of a request is the view of any thread, read by its recipient or not.
    await startThread(ctx.strapi, friend, [ann]);
    const toContact = await startThread(ctx.strapi, ann, [friend]);
    const view = async (id: string) => {
      const { id: _id, participants: _p, createdAt: _c, lastMessageAt: _l, lastMessage, messages, ...rest } = (
        await as(ctx.strapi, ann).get(`/threads/${id}`).expect(200)
      ).body.data;
      return { ...rest, lastMessage: { ...lastMessage, id: undefined }, messages: messages.map((m: any) => ({ isNew: m.isNew, deleted: m.deleted })) };
    };
    const before = await view(asked.thread.id);
    expect(before).toEqual({ ...(await view(toContact.thread.id)), subject: 'Hi' });
    await as(ctx.strapi, bob).post(`/threads/${asked.thread.id}/read`).expect(200);
    expect(await view(asked.thread.id)).toEqual(before);
    expect(await counts(bob)).toEqual({ threads: 0, messages: 0, requests: 0 });
  });

  it('caps what the author sends before an answer (request_pending); accepting moves it to the inbox and makes the author a contact', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await reply(ctx.strapi, ann, thread.id, 'Second');
    await reply(ctx.strapi, ann, thread.id, 'Third');
    const refused = await as(ctx.strapi, ann).post(`/threads/${thread.id}/messages`, { body: 'Fourth' }).expect(403);
    expect(refused.body.error.details).toMatchObject({ code: 'request_pending', limit: 3 });
    expect(await counts(bob)).toEqual({ threads: 0, messages: 0, requests: 1 });

    const accepted = (await as(ctx.strapi, bob).post(`/threads/${thread.id}/accept`).expect(200)).body.data;
    expect(accepted).toMatchObject({ id: thread.id, folder: 'inbox', unreadCount: 3, messageCount: 3 });
    expect(await ids(bob, 'requests')).not.toContain(thread.id);
    expect(await ids(bob, 'inbox')).toContain(thread.id);
    expect(await counts(bob)).toEqual({ threads: 1, messages: 3, requests: 0 });
    // Accepting again changes nothing.
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/accept`).expect(200);
    await reply(ctx.strapi, ann, thread.id, 'Fourth, now answered');
    // The author is a contact now: their next thread is not a request.
    expect(await canMessage(ann, bob)).toMatchObject({ asRequest: false });
    const next = await startThread(ctx.strapi, ann, [bob]);
    expect(await ids(bob, 'inbox')).toContain(next.thread.id);
  });

  it('a reply accepts too', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await reply(ctx.strapi, bob, thread.id, 'Hello back');
    expect(await ids(bob, 'inbox')).toContain(thread.id);
    expect(await ids(bob, 'requests')).toHaveLength(0);
    await reply(ctx.strapi, ann, thread.id, 'Great');
    expect(await counts(bob)).toEqual({ threads: 1, messages: 1, requests: 0 });
    expect(await canMessage(ann, bob)).toMatchObject({ asRequest: false });
  });

  it('decline removes it silently; the author’s later messages never bring it back; a new request waits a day', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    const authorBefore = (await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data;
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/decline`).expect(204);
    expect(await ids(bob, 'requests')).toHaveLength(0);
    expect(await ids(bob, 'inbox')).not.toContain(thread.id);
    expect(await counts(bob)).toEqual({ threads: 0, messages: 0, requests: 0 });
    // Not a request any more: 409, nothing changed.
    expect((await as(ctx.strapi, bob).post(`/threads/${thread.id}/decline`).expect(409)).body.error.details.code).toBe('not_a_request');
    // The author cannot tell.
    expect((await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data).toEqual(authorBefore);
    await reply(ctx.strapi, ann, thread.id, 'Anyone?');
    expect(await ids(bob, 'inbox')).not.toContain(thread.id);
    expect(await ids(bob, 'requests')).toHaveLength(0);
    expect(await counts(bob)).toEqual({ threads: 0, messages: 0, requests: 0 });

    // One request per pair a day.
    expect(codesOf(await send(ann, [bob]).expect(403))).toEqual(['request_pending']);
    expect(await canMessage(ann, bob)).toMatchObject({ allowed: false, reasons: [{ code: 'request_pending' }] });
    await knex()('pm_threads').where('id', (await knex()('pm_threads').where('document_id', thread.id).first('id')).id).update({ created_at: new Date(Date.now() - 25 * 3600_000) });
    const again = await startThread(ctx.strapi, ann, [bob]);
    expect(await ids(bob, 'requests')).toEqual([again.thread.id]);
    // While it is pending, no second one.
    expect(codesOf(await send(ann, [bob]).expect(403))).toEqual(['request_pending']);
  });

  it('decline with a block blocks the author; a request then a block refuses the next thread', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/decline`, { block: true }).expect(204);
    expect((await as(ctx.strapi, bob).get('/blocks').expect(200)).body.data.map((u: { id: number }) => u.id)).toEqual([ann.id]);
    expect(codesOf(await send(ann, [bob]).expect(403))).toContain('blocked');
    // A request, then a plain block: the request stays out of sight too.
    const second = await startThread(ctx.strapi, cat, [bob]);
    await as(ctx.strapi, bob).post('/blocks', { userId: cat.id }).expect(201);
    expect(codesOf(await as(ctx.strapi, cat).post(`/threads/${second.thread.id}/messages`, { body: 'Hello?' }).expect(403))).toEqual(['blocked']);
    expect(await counts(bob)).toEqual({ threads: 0, messages: 0, requests: 1 });
    await as(ctx.strapi, bob).post(`/threads/${second.thread.id}/decline`).expect(204);
    expect(await counts(bob)).toEqual({ threads: 0, messages: 0, requests: 0 });
    expect((await as(ctx.strapi, bob).post(`/threads/${thread.id}/decline`, { block: 'yes' }).expect(400)).body.error.details.errors[0].path).toEqual(['block']);
  });

  it('is per member in a group thread: contacts get it in the inbox, strangers as a request', async () => {
    const [ann, friend, stranger] = await ctx.users(3);
    await startThread(ctx.strapi, friend, [ann]);
    const { thread } = await startThread(ctx.strapi, ann, [friend, stranger], { subject: 'Group' });
    expect(await ids(friend, 'inbox')).toContain(thread.id);
    expect(await ids(stranger, 'requests')).toEqual([thread.id]);
    // The friend's reply reaches the stranger's request, not their inbox.
    await reply(ctx.strapi, friend, thread.id, 'Hi all');
    expect(await counts(stranger)).toEqual({ threads: 0, messages: 0, requests: 1 });
    expect((await folder(stranger, 'requests')).data[0]).toMatchObject({ unreadCount: 2, folder: 'requests' });
    // The starter is capped while a member has it pending.
    await reply(ctx.strapi, ann, thread.id, 'Two');
    await reply(ctx.strapi, ann, thread.id, 'Three');
    await as(ctx.strapi, ann).post(`/threads/${thread.id}/messages`, { body: 'Four' }).expect(403);
    await as(ctx.strapi, stranger).post(`/threads/${thread.id}/accept`).expect(200);
    expect(await counts(stranger)).toEqual({ threads: 1, messages: 4, requests: 0 });
    await reply(ctx.strapi, ann, thread.id, 'Four');
  });

  it('role broadcasts are never requests', async () => {
    const [writer, member] = await ctx.users(2);
    const role = await createRole(ctx.strapi, `members-${Date.now()}`);
    await grant(ctx.strapi, role.id, pluginActions(ctx.strapi));
    await setRole(ctx.strapi, member.id, role.id);
    const res = await as(ctx.strapi, writer).post('/threads', { recipients: [{ type: 'role', id: role.id }], body: 'News' }).expect(201);
    expect(await ids(member, 'inbox')).toContain(res.body.data.thread.id);
    expect(await ids(member, 'requests')).toHaveLength(0);
  });

  it('a context declared with requests: false opts out: a buyer’s question reaches the seller’s inbox', async () => {
    const [buyer, seller] = await ctx.users(2);
    const desk = await createListing(ctx.strapi, { title: 'Desk', seller: seller.id });
    const asked = await as(ctx.strapi, buyer).post('/threads', { context: { uid: LISTING, documentId: desk }, body: 'Still available?' }).expect(201);
    expect(await ids(seller, 'inbox')).toContain(asked.body.data.thread.id);
    expect(await counts(seller)).toEqual({ threads: 1, messages: 1, requests: 0 });
    // A plain thread from the same stranger is still a request.
    const plain = await startThread(ctx.strapi, buyer, [seller]);
    expect(await ids(seller, 'requests')).toEqual([plain.thread.id]);
  });

  it('removing a request declines it: out of the requests folder for good', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await as(ctx.strapi, bob).del(`/threads/${thread.id}`).expect(204);
    await reply(ctx.strapi, ann, thread.id, 'Hello?');
    expect(await ids(bob, 'requests')).toHaveLength(0);
    expect(await ids(bob, 'inbox')).not.toContain(thread.id);
    expect(await counts(bob)).toEqual({ threads: 0, messages: 0, requests: 0 });
  });

  it('lists requests newest first with a cursor', async () => {
    const [me, a, b, c] = await ctx.users(4);
    const made: string[] = [];
    for (const author of [a, b, c]) made.push((await startThread(ctx.strapi, author, [me])).thread.id);
    await reply(ctx.strapi, a, made[0], 'Up again');
    const expected = [made[0], made[2], made[1]];
    expect(await ids(me, 'requests')).toEqual(expected);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await folder(me, 'requests', `&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      walked.push(...page.data.map((t) => t.id));
      cursor = page.meta.nextCursor;
    } while (cursor && walked.length < 10);
    expect(walked).toEqual(expected);
    expect(await counts(me)).toEqual({ threads: 0, messages: 0, requests: 3 });
  });

  it('sends no email and no message.created for a request, only unread-count with requests', async () => {
    const [ann, bob] = await ctx.users(2);
    const base = await listen(ctx.strapi);
    const tab: SseClient = await openStream(base, { jwt: bob.jwt });
    try {
      await tab.next((e) => e.event === 'unread-count');
      const from = tab.events.length;
      const { thread } = await startThread(ctx.strapi, ann, [bob]);
      const event = await tab.next((e) => e.event === 'unread-count' && e.data.requests === 1, 5000, from);
      expect(event.data).toEqual({ threads: 0, messages: 0, requests: 1 });
      await reply(ctx.strapi, ann, thread.id, 'Again');
      // The counts did not change (the stream does not repeat them): nothing else may come.
      await new Promise((resolve) => setTimeout(resolve, 600));
      await outbox().drain();
      await outbox().drain();
      expect(smtp.to(emailOf(bob))).toHaveLength(0);
      expect(tab.events.slice(from).filter((e) => e.event === 'message.created')).toHaveLength(0);
      // Accepted: an ordinary thread, with its emails and events.
      await as(ctx.strapi, bob).post(`/threads/${thread.id}/accept`).expect(200);
      await as(ctx.strapi, bob).post(`/threads/${thread.id}/read`).expect(200);
      await reply(ctx.strapi, ann, thread.id, 'Now you see me');
      await tab.next((e) => e.event === 'message.created', 5000, from);
      await outbox().drain();
      await outbox().drain();
      expect(smtp.to(emailOf(bob)).length).toBeGreaterThan(0);
    } finally {
      tab.close();
    }
  });

  it('shows moderators, per sender, requests sent, declined and declined with a block', async () => {
    const [spammer, a, b, c] = await ctx.users(4);
    const threads = [];
    for (const u of [a, b, c]) threads.push((await startThread(ctx.strapi, spammer, [u])).thread.id);
    await as(ctx.strapi, a).post(`/threads/${threads[0]}/decline`, { block: true }).expect(204);
    await as(ctx.strapi, b).post(`/threads/${threads[1]}/decline`).expect(204);
    const { moderator, settingsAdmin } = await createModerationAdmins(ctx.strapi);
    const res = await asAdmin(ctx.strapi, moderator).get('/requests/stats?days=7').expect(200);
    expect(res.body.meta).toEqual({ days: 7 });
    expect(res.body.data.find((r: any) => r.user?.id === spammer.id)).toMatchObject({ sent: 3, declined: 2, declinedWithBlock: 1 });
    // The most declined-with-block first.
    expect(res.body.data[0].declinedWithBlock).toBeGreaterThanOrEqual(1);
    await asAdmin(ctx.strapi, moderator).get('/requests/stats?days=0').expect(400);
    await asAdmin(ctx.strapi, settingsAdmin).get('/requests/stats').expect(403);
  });

  it('404s accept and decline of a thread the caller is not in', async () => {
    const [ann, bob, eve] = await ctx.users(3);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await as(ctx.strapi, eve).post(`/threads/${thread.id}/accept`).expect(404);
    await as(ctx.strapi, eve).post(`/threads/${thread.id}/decline`).expect(404);
  });
});

describe('limits that stop scripts, not sellers', () => {
  afterEach(async () => {
    await settings().update({ strangerDailyThreads: 0, newAccountDays: 0, newAccountDailyThreads: 0 });
  });

  it('strangerDailyThreads: 429 stranger_limit with Retry-After; contacts and replies are not counted', async () => {
    const [ann, friend, s1, s2, s3] = await ctx.users(5);
    await startThread(ctx.strapi, friend, [ann]);
    await settings().update({ strangerDailyThreads: 2 });
    const first = await startThread(ctx.strapi, ann, [s1]);
    await startThread(ctx.strapi, ann, [s2]);
    const res = await send(ann, [s3]).expect(429);
    expect(res.body.error.details.code).toBe('stranger_limit');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(86_000);
    await send(ann, [friend]).expect(201);
    await reply(ctx.strapi, ann, first.thread.id, 'Replies are never limited');
  });

  it('newAccountDays with newAccountDailyThreads: 429 new_account_limit; older accounts are not limited', async () => {
    const [fresh, a, b, old] = await ctx.users(4);
    await settings().update({ newAccountDays: 2, newAccountDailyThreads: 1 });
    await startThread(ctx.strapi, fresh, [a]);
    const res = await send(fresh, [b]).expect(429);
    expect(res.body.error.details.code).toBe('new_account_limit');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    await knex()('up_users').where('id', old.id).update({ created_at: new Date(Date.now() - 3 * 86_400_000) });
    await startThread(ctx.strapi, old, [a]);
    await startThread(ctx.strapi, old, [b]);
  });

  it('counts concurrent sends at the limit without races', async () => {
    const [ann, ...others] = await ctx.users(7);
    await settings().update({ strangerDailyThreads: 3 });
    const results = await Promise.all(others.map((o) => send(ann, [o])));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429, 429]);
  });
});

describe('contacts from history', () => {
  it('threads from before contacts existed, and imported ones, count: the starter for each member, and whoever wrote', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat]);
    await reply(ctx.strapi, bob, thread.id, 'Hi');
    await knex()('pm_contacts').whereIn('user_id', [ann.id, bob.id, cat.id]).del();
    const { backfillContacts } = await import('../../server/src/repositories/contacts');
    const row = await knex()('pm_threads').where('document_id', thread.id).first('id');
    await backfillContacts(knex(), [Number(row.id)]);
    await backfillContacts(knex(), [Number(row.id)]);
    const pairs = (await knex()('pm_contacts').whereIn('user_id', [ann.id, bob.id, cat.id]).select('user_id', 'contact_id'))
      .map((r: any) => `${r.user_id}>${r.contact_id}`)
      .sort();
    const p = (a: TestUser, b: TestUser) => `${a.id}>${b.id}`;
    expect(pairs).toEqual([p(ann, bob), p(ann, cat), p(bob, ann), p(bob, cat), p(cat, ann)].sort());
  });
});
