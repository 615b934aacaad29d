import { as, reply, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import type { TestUser } from '../helpers/users';
import { expectValidationError } from '../helpers/assertions';

const ctx = useStrapi();
let ann: TestUser, bob: TestUser, cat: TestUser, dan: TestUser;

beforeAll(async () => {
  [ann, bob, cat, dan] = await ctx.users(4);
});

describe('POST /threads', () => {
  it('starts a 1:1 thread and answers the thread as the author sees it with the first message', async () => {
    const res = await as(ctx.strapi, ann)
      .post('/threads', { recipients: [{ type: 'user', id: bob.id }], subject: ' Order #123 ', body: 'Hi Bob' })
      .expect(201);
    const { thread, message } = res.body.data;
    expect(thread).toMatchObject({
      subject: 'Order #123',
      isGroup: false,
      messageCount: 1,
      unreadCount: 0,
      tags: [],
      lastMessage: { id: message.id, excerpt: 'Hi Bob', author: { id: ann.id, username: ann.username } },
    });
    expect(thread.id).toMatch(/^[a-z0-9]{24}$/);
    expect(thread.participants.map((p: any) => [p.id, p.left])).toEqual([
      [ann.id, false],
      [bob.id, false],
    ]);
    expect(thread.participants[0].avatarUrl).toEqual(expect.any(String));
    expect(message).toMatchObject({
      threadId: thread.id,
      author: { id: ann.id },
      body: 'Hi Bob',
      format: 'plain_text',
      deleted: false,
      isNew: false,
    });
    expect(new Date(message.createdAt).toISOString()).toBe(message.createdAt);
    expect(res.body.meta.refused).toEqual([]);
  });

  it('keeps 4-byte characters (emoji, astral scripts) in subjects and bodies, on every database', async () => {
    // MySQL/MariaDB's legacy `utf8` (utf8mb3) stores no 4-byte character: utf8mb4 throughout.
    const subject = 'Party 🎉 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎';
    const body = 'See you there 😀👍🏽 — 𝒳 and 𠜎';
    const { thread, message } = await startThread(ctx.strapi, ann, [bob], { subject, body });
    expect(thread.subject).toBe(subject);
    expect(message.body).toBe(body);
    const view = (await as(ctx.strapi, bob).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(view.subject).toBe(subject);
    expect(view.messages.map((m: any) => m.body)).toEqual([body]);
    const inbox = (await as(ctx.strapi, bob).get('/threads').query({ q: 'party 🎉' }).expect(200)).body.data;
    expect(inbox.map((t: any) => [t.id, t.subject, t.lastMessage.excerpt])).toEqual([[thread.id, subject, body]]);
  });

  it('starts a group thread when there are more than two members', async () => {
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat]);
    expect(thread.isGroup).toBe(true);
    expect(thread.subject).toBe('');
    expect(thread.participants).toHaveLength(3);
  });

  it('refuses the whole send by default, listing every refused recipient', async () => {
    const before = await ctx.strapi.db.query('plugin::private-messages.message').count();
    const res = await as(ctx.strapi, ann)
      .post('/threads', {
        recipients: [
          { type: 'user', id: bob.id },
          { type: 'user', id: ann.id },
          { type: 'user', id: 999_999 },
        ],
        body: 'Hello',
      })
      .expect(403);
    expect(res.body.error.name).toBe('ForbiddenError');
    expect(res.body.error.details.refused).toEqual([
      { recipient: { type: 'user', id: ann.id }, code: 'self', message: expect.any(String) },
      { recipient: { type: 'user', id: 999_999 }, code: 'unknown_recipient', message: expect.any(String) },
    ]);
    expect(await ctx.strapi.db.query('plugin::private-messages.message').count()).toBe(before);
  });

  it('with skipRefused, sends to the others and lists the refused in meta', async () => {
    const res = await as(ctx.strapi, ann)
      .post('/threads', {
        recipients: [
          { type: 'user', id: bob.id },
          { type: 'user', id: 999_998 },
        ],
        body: 'Hello',
        skipRefused: true,
      })
      .expect(201);
    expect(res.body.data.thread.participants.map((p: any) => p.id)).toEqual([ann.id, bob.id]);
    expect(res.body.meta.refused).toEqual([
      { recipient: { type: 'user', id: 999_998 }, code: 'unknown_recipient', message: expect.any(String) },
    ]);
  });

  it('is a 403 when every recipient is refused, even with skipRefused', async () => {
    const res = await as(ctx.strapi, ann)
      .post('/threads', { recipients: [{ type: 'user', id: ann.id }], body: 'Me', skipRefused: true })
      .expect(403);
    expect(res.body.error.details.refused[0].code).toBe('self');
  });

  it('merges duplicate recipients', async () => {
    const { thread } = await startThread(ctx.strapi, ann, [bob, bob]);
    expect(thread.participants).toHaveLength(2);
    expect(thread.isGroup).toBe(false);
  });

  it('refuses more recipients than the configured maximum', async () => {
    await ctx.strapi.plugin('private-messages').service('settings').update({ maxRecipients: 2 });
    try {
      const res = await as(ctx.strapi, ann)
        .post('/threads', { recipients: [bob, cat, dan].map((u) => ({ type: 'user', id: u.id })), body: 'Too many' })
        .expect(403);
      expect(res.body.error.details.code).toBe('max_recipients');
    } finally {
      await ctx.strapi.plugin('private-messages').service('settings').update({ maxRecipients: 50 });
    }
  });

  it.each([
    ['an unknown key', { recipients: [{ type: 'user', id: 1 }], body: 'x', colour: 'red' }, ['colour']],
    ['a wrong type', { recipients: [{ type: 'user', id: '2' }], body: 'x' }, ['recipients', '0', 'id']],
    ['an unknown recipient type', { recipients: [{ type: 'group', id: 2 }], body: 'x' }, ['recipients', '0', 'type']],
    ['no recipients', { recipients: [], body: 'x' }, ['recipients']],
    ['no body', { recipients: [{ type: 'user', id: 2 }] }, ['body']],
    ['a body that is not a string', { recipients: [{ type: 'user', id: 2 }], body: 42 }, ['body']],
    ['a subject over 255 characters', { recipients: [{ type: 'user', id: 2 }], body: 'x', subject: 's'.repeat(256) }, ['subject']],
    ['an unknown format', { recipients: [{ type: 'user', id: 2 }], body: 'x', format: 'markdown' }, ['format']],
    ['an unknown key in a recipient', { recipients: [{ type: 'user', id: 2, name: 'bob' }], body: 'x' }, ['recipients', '0', 'name']],
    ['a recipient id beyond the id range', { recipients: [{ type: 'user', id: 1e12 }], body: 'x' }, ['recipients', '0', 'id']],
    ['a NUL character in the body', { recipients: [{ type: 'user', id: 2 }], body: 'a\u0000b' }, ['body']],
    ['a NUL character in the subject', { recipients: [{ type: 'user', id: 2 }], body: 'x', subject: '\u0000' }, ['subject']],
  ])('is a 400 for %s', async (_label, body, path) => {
    const before = await ctx.strapi.db.query('plugin::private-messages.thread').count();
    expectValidationError(await as(ctx.strapi, ann).post('/threads', body), path as string[]);
    expect(await ctx.strapi.db.query('plugin::private-messages.thread').count()).toBe(before);
  });

  it('is a 400 for an unknown query key', async () => {
    expectValidationError(await as(ctx.strapi, ann).post('/threads?draft=1', { recipients: [{ type: 'user', id: bob.id }], body: 'x' }), ['draft']);
  });

  it('is a 400 for a body that is empty once sanitized', async () => {
    const res = await as(ctx.strapi, ann).post('/threads', {
      recipients: [{ type: 'user', id: bob.id }],
      body: '<script>alert(1)</script>',
      format: 'basic_html',
    });
    expectValidationError(res, ['body']);
  });

  it('is a 413 for a body over the maximum length, never a 500', async () => {
    const res = await as(ctx.strapi, ann)
      .post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'x'.repeat(20_001) })
      .expect(413);
    expect(res.body.error.name).toBe('PayloadTooLargeError');
    await as(ctx.strapi, ann)
      .post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'x'.repeat(20_000) })
      .expect(201);
  });

  it('sanitizes bodies per format and keeps line breaks of plain text', async () => {
    const plain = await startThread(ctx.strapi, ann, [bob], { body: 'a <b>bold</b>\nline' });
    expect(plain.message.body).toBe('a &lt;b&gt;bold&lt;/b&gt;<br>line');
    const html = await startThread(ctx.strapi, ann, [bob], {
      body: '<p onclick="x()">Hi <a href="javascript:alert(1)">x</a> <a href="https://e.test">y</a></p><iframe src="https://e.test"></iframe><script>alert(1)</script>',
      format: 'basic_html',
    });
    expect(html.message.body).toBe('<p>Hi <a rel="nofollow noopener">x</a> <a href="https://e.test" rel="nofollow noopener">y</a></p>');
    expect(html.thread.lastMessage.excerpt).toBe('Hi x y');
  });

  it('refuses a caller without a JWT', async () => {
    const res = await as(ctx.strapi, null).post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'x' });
    expect([401, 403]).toContain(res.status);
    expect(res.body.data).toBeNull();
  });
});

describe('GET /threads', () => {
  let eve: TestUser, fay: TestUser;
  const subjects: string[] = [];

  beforeAll(async () => {
    [eve, fay] = await ctx.users(2);
    for (let i = 0; i < 7; i += 1) {
      const { thread } = await startThread(ctx.strapi, eve, [fay], { subject: `t${i}` });
      subjects.push(thread.id);
    }
    // Activity moves a thread to the top.
    await reply(ctx.strapi, fay, subjects[2], 'bump');
  });

  it('lists the inbox newest activity first, cursor-paginated', async () => {
    const first = await as(ctx.strapi, eve).get('/threads?limit=3').expect(200);
    expect(first.body.data.map((t: any) => t.subject)).toEqual(['t2', 't6', 't5']);
    expect(first.body.meta.nextCursor).toEqual(expect.any(String));
    const second = await as(ctx.strapi, eve).get(`/threads?limit=3&cursor=${encodeURIComponent(first.body.meta.nextCursor)}`).expect(200);
    expect(second.body.data.map((t: any) => t.subject)).toEqual(['t4', 't3', 't1']);
    const third = await as(ctx.strapi, eve).get(`/threads?limit=3&cursor=${encodeURIComponent(second.body.meta.nextCursor)}`).expect(200);
    expect(third.body.data.map((t: any) => t.subject)).toEqual(['t0']);
    expect(third.body.meta.nextCursor).toBeNull();
  });

  it('shows unread counts and the last message', async () => {
    const res = await as(ctx.strapi, fay).get('/threads?limit=1').expect(200);
    expect(res.body.data[0]).toMatchObject({ subject: 't2', unreadCount: 0, messageCount: 2, lastMessage: { excerpt: 'bump' } });
    const eveView = await as(ctx.strapi, eve).get('/threads?limit=1').expect(200);
    expect(eveView.body.data[0]).toMatchObject({ subject: 't2', unreadCount: 1, lastMessage: { excerpt: 'bump', author: { id: fay.id } } });
  });

  it('defaults to 25 per page', async () => {
    const res = await as(ctx.strapi, eve).get('/threads').expect(200);
    expect(res.body.data).toHaveLength(7);
    expect(res.body.meta.nextCursor).toBeNull();
  });

  it.each([
    ['limit=0', ['limit']],
    ['limit=101', ['limit']],
    ['limit=abc', ['limit']],
    ['limit=2.5', ['limit']],
    ['cursor=not-a-cursor', ['cursor']],
    ['colour=red', ['colour']],
  ])('is a 400 for %s', async (query, path) => {
    expectValidationError(await as(ctx.strapi, eve).get(`/threads?${query}`), path);
  });

  it('is a 400 for a tampered cursor', async () => {
    const { body } = await as(ctx.strapi, eve).get('/threads?limit=1').expect(200);
    const [payload, signature] = body.meta.nextCursor.split('.');
    const forged = Buffer.from(JSON.stringify([Date.now() + 1e9, 1])).toString('base64url');
    expectValidationError(await as(ctx.strapi, eve).get(`/threads?cursor=${forged}.${signature}`), ['cursor']);
    expectValidationError(await as(ctx.strapi, eve).get(`/threads?cursor=${payload}.AAAA${signature.slice(4)}`), ['cursor']);
  });
});

describe('GET /threads/:id and its messages', () => {
  let threadId: string;
  beforeAll(async () => {
    ({ thread: { id: threadId } } = await startThread(ctx.strapi, ann, [bob], { body: 'm0' }));
    for (let i = 1; i < 30; i += 1) await reply(ctx.strapi, i % 2 ? bob : ann, threadId, `m${i}`);
  });

  it('answers the thread with its newest page of messages, oldest first, without changing read state', async () => {
    const res = await as(ctx.strapi, ann).get(`/threads/${threadId}`).expect(200);
    expect(res.body.data).toMatchObject({ id: threadId, messageCount: 30, unreadCount: 1 });
    expect(res.body.data.messages.map((m: any) => m.body)).toEqual(Array.from({ length: 25 }, (_, i) => `m${i + 5}`));
    expect(res.body.data.messages.at(-1)).toMatchObject({ body: 'm29', isNew: true, author: { id: bob.id } });
    expect(res.body.data.messages.at(-2)).toMatchObject({ body: 'm28', isNew: false });
    expect(res.body.meta.olderCursor).toEqual(expect.any(String));
    const again = await as(ctx.strapi, ann).get(`/threads/${threadId}`).expect(200);
    expect(again.body.data.unreadCount).toBe(1);
  });

  it('pages back through older messages', async () => {
    const first = await as(ctx.strapi, ann).get(`/threads/${threadId}?limit=10`).expect(200);
    const older = await as(ctx.strapi, ann)
      .get(`/threads/${threadId}/messages?limit=15&before=${encodeURIComponent(first.body.meta.olderCursor)}`)
      .expect(200);
    expect(older.body.data.map((m: any) => m.body)).toEqual(Array.from({ length: 15 }, (_, i) => `m${i + 5}`));
    const oldest = await as(ctx.strapi, ann)
      .get(`/threads/${threadId}/messages?before=${encodeURIComponent(older.body.meta.olderCursor)}`)
      .expect(200);
    expect(oldest.body.data.map((m: any) => m.body)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(oldest.body.meta.olderCursor).toBeNull();
  });

  it.each([
    ['', 'limit=0', ['limit']],
    ['', 'before=x', ['before']],
    ['/messages', 'before=abc.def', ['before']],
    ['/messages', 'limit=1000', ['limit']],
    ['/messages', 'page=2', ['page']],
  ])('is a 400 for GET /threads/:id%s?%s', async (suffix, query, path) => {
    expectValidationError(await as(ctx.strapi, ann).get(`/threads/${threadId}${suffix}?${query}`), path);
  });

  it('is a 400 for a malformed thread id', async () => {
    expectValidationError(await as(ctx.strapi, ann).get('/threads/not-an-id'), ['id']);
  });

  it('is a 404 for an unknown thread', async () => {
    const res = await as(ctx.strapi, ann).get('/threads/abcdefghijklmnopqrstuvwx').expect(404);
    expect(res.body.error).toMatchObject({ status: 404, name: 'NotFoundError', message: 'Thread not found' });
  });
});

describe('a user who is not a member', () => {
  let threadId: string;
  let messageId: string;
  let outsider: TestUser;
  beforeAll(async () => {
    [outsider] = await ctx.users(1);
    const started = await startThread(ctx.strapi, ann, [bob, cat]);
    threadId = started.thread.id;
    messageId = started.message.id;
  });

  const unknownThread = async (method: 'get' | 'post' | 'del', path: string, body?: object) => {
    const client = as(ctx.strapi, outsider);
    const res = await (method === 'post' ? client.post(path, body) : client[method](path));
    expect(res.status).toBe(404);
    expect(res.body.error.name).toBe('NotFoundError');
    return res;
  };

  it('gets the same 404 as for a thread that does not exist, on every route', async () => {
    const known = await unknownThread('get', `/threads/${threadId}`);
    const missing = await as(ctx.strapi, outsider).get('/threads/zzzzzzzzzzzzzzzzzzzzzzzz').expect(404);
    expect(known.body).toEqual(missing.body);
    await unknownThread('get', `/threads/${threadId}/messages`);
    await unknownThread('post', `/threads/${threadId}/messages`, { body: 'let me in' });
    await unknownThread('post', `/threads/${threadId}/read`);
    await unknownThread('post', `/threads/${threadId}/unread`);
    await unknownThread('post', `/threads/${threadId}/leave`);
    await unknownThread('del', `/threads/${threadId}`);
    await unknownThread('del', `/messages/${messageId}`);
  });

  it('changes nothing by trying', async () => {
    const res = await as(ctx.strapi, ann).get(`/threads/${threadId}`).expect(200);
    expect(res.body.data.messageCount).toBe(1);
    expect(res.body.data.messages[0].deleted).toBe(false);
  });
});
