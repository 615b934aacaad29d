import { useStrapi } from '../helpers/setup';
import { as, startThread } from '../helpers/api';
import type { TestUser } from '../helpers/users';

/*
 * Sends with an Idempotency-Key: a retry with the same key answers the first result and stores
 * nothing; two at once store one; the same key for another request is a 422.
 */
const ctx = useStrapi();
const knex = () => ctx.strapi.db.connection;
const count = async (table: string, where: Record<string, unknown>) =>
  Number((await knex()(table).count({ n: '*' }).where(where).first())?.n ?? 0);
const messagesBy = (user: TestUser) => count('pm_messages', { author_id: user.id });

const send = (user: TestUser, key: string | null, body: object) => {
  const req = as(ctx.strapi, user).post('/threads', body);
  return key ? req.set('Idempotency-Key', key) : req;
};
const replyWith = (user: TestUser, threadId: string, key: string, body = 'once') =>
  as(ctx.strapi, user).post(`/threads/${threadId}/messages`, { body }).set('Idempotency-Key', key);

describe('Idempotency-Key on sends', () => {
  it('answers a repeated new thread with the first result, storing nothing more', async () => {
    const [ann, bob] = await ctx.users(2);
    const body = { recipients: [{ type: 'user', id: bob.id }], subject: 'Once', body: 'Only once' };
    const first = await send(ann, 'key-thread-1', body).expect(201);
    const again = await send(ann, 'key-thread-1', body).expect(201);
    expect(again.body).toEqual(first.body);
    expect(await messagesBy(ann)).toBe(1);
    expect(await count('pm_outbox', { kind: 'job', message_id: (await knex()('pm_messages').select('id').where({ author_id: ann.id }).first()).id })).toBe(1);
    // Another user's key of the same name is theirs alone.
    await send(bob, 'key-thread-1', { ...body, recipients: [{ type: 'user', id: ann.id }] }).expect(201);
    expect(await messagesBy(bob)).toBe(1);
  });

  it('answers a repeated reply with the first result; the same key for another request is a 422', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    const first = await replyWith(bob, thread.id, 'reply-key').expect(201);
    const again = await replyWith(bob, thread.id, 'reply-key').expect(201);
    expect(again.body).toEqual(first.body);
    expect(await messagesBy(bob)).toBe(1);

    const reused = await replyWith(bob, thread.id, 'reply-key', 'something else').expect(422);
    expect(reused.body.error).toMatchObject({ status: 422, name: 'UnprocessableEntityError', details: { code: 'idempotency_key_reused' } });
    expect(await messagesBy(bob)).toBe(1);
    // A key is not tied to its route: used for a reply, it cannot start a thread either.
    await send(bob, 'reply-key', { recipients: [{ type: 'user', id: ann.id }], body: 'x' }).expect(422);
    // Without a key, each send is its own.
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/messages`, { body: 'once' }).expect(201);
    expect(await messagesBy(bob)).toBe(2);
  });

  it('takes the key as the idempotencyKey query too (a page on another origin cannot send the header under Strapi\'s default CORS)', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    const first = await as(ctx.strapi, bob).post(`/threads/${thread.id}/messages?idempotencyKey=query-key`, { body: 'once' }).expect(201);
    const again = await as(ctx.strapi, bob).post(`/threads/${thread.id}/messages?idempotencyKey=query-key`, { body: 'once' }).expect(201);
    expect(again.body).toEqual(first.body);
    // The same key by header is the same send.
    await replyWith(bob, thread.id, 'query-key').expect(201);
    expect(await messagesBy(bob)).toBe(1);
    // The query still refuses what it does not know, and a malformed key.
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/messages?other=1`, { body: 'x' }).expect(400);
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/messages?idempotencyKey=${encodeURIComponent('a b')}`, { body: 'x' }).expect(400);
    expect(await messagesBy(bob)).toBe(1);
  });

  it('a retry after the message was deleted shows it deleted, never the body kept with the first answer', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    const first = await replyWith(bob, thread.id, 'deleted-key', 'Soon deleted').expect(201);
    expect(first.body.data.body).toContain('Soon deleted');
    await as(ctx.strapi, bob).del(`/messages/${first.body.data.id}`).expect(204);
    const again = await replyWith(bob, thread.id, 'deleted-key', 'Soon deleted').expect(201);
    expect(again.body.data.id).toBe(first.body.data.id);
    expect(JSON.stringify(again.body)).not.toContain('Soon deleted');
    expect(await messagesBy(bob)).toBe(1);
  });

  it('stores one message when requests with one key race each other', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    const answers = await Promise.all(Array.from({ length: 6 }, () => replyWith(bob, thread.id, 'racing-key', 'racing')));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
    for (const a of answers) expect(a.body).toEqual(answers[0].body);
    expect(await messagesBy(bob)).toBe(1);

    const body = { recipients: [{ type: 'user', id: bob.id }], body: 'racing thread' };
    const threads = await Promise.all(Array.from({ length: 4 }, () => send(ann, 'racing-thread', body)));
    expect(threads.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    for (const a of threads) expect(a.body.data.thread.id).toBe(threads[0].body.data.thread.id);
    expect(await messagesBy(ann)).toBe(2); // the start above and this one
  });

  it('refuses a malformed key with a 400 and stores nothing', async () => {
    const [ann, bob] = await ctx.users(2);
    const res = await send(ann, 'has space', { recipients: [{ type: 'user', id: bob.id }], body: 'x' }).expect(400);
    expect(res.body.error.details.errors[0].path).toEqual(['Idempotency-Key']);
    await send(ann, 'k'.repeat(256), { recipients: [{ type: 'user', id: bob.id }], body: 'x' }).expect(400);
    expect(await messagesBy(ann)).toBe(0);
  });

  it('forgets keys after a day (the purge cron), after which the key sends again', async () => {
    const [ann, bob] = await ctx.users(2);
    const body = { recipients: [{ type: 'user', id: bob.id }], body: 'daily' };
    await send(ann, 'daily-key', body).expect(201);
    await knex()('pm_idempotency_keys').where({ user_id: ann.id }).update({ created_at: new Date(Date.now() - 25 * 3600_000) });
    // Expired, not yet purged: a new send.
    await send(ann, 'daily-key', body).expect(201);
    expect(await messagesBy(ann)).toBe(2);
    await knex()('pm_idempotency_keys').where({ user_id: ann.id }).update({ created_at: new Date(Date.now() - 25 * 3600_000) });
    await ctx.strapi.plugin('private-messages').service('purge').run();
    expect(await count('pm_idempotency_keys', { user_id: ann.id })).toBe(0);
  });
});
