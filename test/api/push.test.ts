import { as, reply, startThread } from '../helpers/api';
import { expectValidationError } from '../helpers/assertions';
import { startPushService } from '../helpers/push-service';
import { startSecondInstance } from '../helpers/second-instance';
import { useStrapi } from '../helpers/setup';
import { statementsDuring } from '../helpers/statements';
import { isMysql, isPostgres } from '../helpers/strapi';
import type { TestUser } from '../helpers/users';

/*
 * Web push end to end: users subscribe browsers (keys of their own), the outbox sends each push
 * once, encrypted for that browser (RFC 8291) and signed with the server's VAPID key (RFC 8292),
 * to a push service started here that decrypts what it receives.
 */
const ctx = useStrapi();
let service: Awaited<ReturnType<typeof startPushService>>;

const outbox = () => ctx.strapi.plugin('private-messages').service('outbox');
const knex = () => ctx.strapi.db.connection;
const drain = async (at = new Date()) => {
  await outbox().drain(at);
  await outbox().drain(at);
};
const subscribe = async (u: TestUser, push = 'every', pushContent = 'none') => {
  const browser = service.browser();
  await as(ctx.strapi, u).post('/push/subscriptions', browser.subscription).expect(201);
  await as(ctx.strapi, u).put('/preferences', { push, pushContent }).expect(200);
  return browser;
};

beforeAll(async () => {
  service = await startPushService();
});
afterAll(async () => {
  await service.stop();
});
afterEach(() => expect(service.errors).toEqual([]));

describe('the push routes', () => {
  it('give the VAPID public key, the same each time', async () => {
    const [ann] = await ctx.users(1);
    const first = (await as(ctx.strapi, ann).get('/push/key').expect(200)).body.data.publicKey;
    expect(first).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect((await as(ctx.strapi, ann).get('/push/key').expect(200)).body.data.publicKey).toBe(first);
    await as(ctx.strapi, null).get('/push/key').expect(403);
  });

  it('take a subscription (201), refuse one that is not a push service’s, and forget one (204)', async () => {
    const [ann] = await ctx.users(1);
    const browser = service.browser();
    expect((await as(ctx.strapi, ann).post('/push/subscriptions', browser.subscription).expect(201)).body.data).toEqual({ endpoint: browser.subscription.endpoint });
    expectValidationError(await as(ctx.strapi, ann).post('/push/subscriptions', { ...browser.subscription, endpoint: 'http://insecure.example/x' }), ['endpoint']);
    expectValidationError(await as(ctx.strapi, ann).post('/push/subscriptions', { ...browser.subscription, keys: { p256dh: 'short', auth: 'x' } }), ['keys', 'p256dh']);
    expect(await knex()('pm_push_subscriptions').where({ user_id: ann.id })).toHaveLength(1);
    await as(ctx.strapi, ann).del('/push/subscriptions').send({ endpoint: browser.subscription.endpoint }).expect(204);
    expect(await knex()('pm_push_subscriptions').where({ user_id: ann.id })).toHaveLength(0);
  });

  it('add push and pushContent to the preferences, off and empty by default', async () => {
    const [ann] = await ctx.users(1);
    const prefs = (await as(ctx.strapi, ann).get('/preferences').expect(200)).body.data;
    expect(prefs).toMatchObject({ push: 'never', pushContent: 'none' });
    expectValidationError(await as(ctx.strapi, ann).put('/preferences', { push: 'always' }), ['push']);
  });
});

describe('pushes', () => {
  it('reach each subscribed browser once, encrypted for it and signed with the server’s key, without content by default', async () => {
    const [ann, bob] = await ctx.users(2);
    const phone = await subscribe(bob);
    const laptop = service.browser();
    await as(ctx.strapi, bob).post('/push/subscriptions', laptop.subscription).expect(201);
    const { thread } = await startThread(ctx.strapi, ann, [bob], { subject: 'Private subject', body: 'Private body' });
    await drain();
    const key = (await as(ctx.strapi, bob).get('/push/key').expect(200)).body.data.publicKey;
    for (const b of [phone, laptop]) {
      expect(b.received).toHaveLength(1);
      expect(b.received[0].payload).toEqual({ type: 'newThread', threadId: thread.id });
      expect(b.received[0].vapidKey).toBe(key);
    }
    expect(JSON.stringify(phone.received)).not.toContain('Private');
  });

  it('carry the author and an excerpt when the user chose a preview', async () => {
    const [ann, bob] = await ctx.users(2);
    const browser = await subscribe(bob, 'every', 'preview');
    const { thread } = await startThread(ctx.strapi, ann, [bob], { subject: 'Hi', body: 'Lunch at noon?' });
    await drain();
    expect(browser.received[0].payload).toEqual({ type: 'newThread', threadId: thread.id, author: ann.username, subject: 'Hi', excerpt: 'Lunch at noon?' });
  });

  it('follow the push preference: never, new threads only, every message; never to the author', async () => {
    const [ann, never, newThreads, every] = await ctx.users(4);
    const browsers = { never: await subscribe(never, 'never'), newThreads: await subscribe(newThreads, 'newThreads'), every: await subscribe(every, 'every') };
    const annBrowser = await subscribe(ann, 'every');
    const { thread } = await startThread(ctx.strapi, ann, [never, newThreads, every]);
    await reply(ctx.strapi, ann, thread.id, 'second');
    await drain();
    expect(browsers.never.received).toHaveLength(0);
    expect(browsers.newThreads.received).toHaveLength(1);
    expect(browsers.every.received).toHaveLength(2);
    expect(annBrowser.received).toHaveLength(0);
  });

  it('are retried after a failure of the push service, and arrive once', async () => {
    const [ann, bob] = await ctx.users(2);
    const browser = await subscribe(bob);
    browser.answers.push(500);
    await startThread(ctx.strapi, ann, [bob]);
    await drain();
    expect(browser.received).toHaveLength(0);
    const [row] = await knex()('pm_outbox').where({ kind: 'push', user_id: bob.id });
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'push service answered 500' });
    await drain(new Date(Date.now() + 3_600_000));
    await drain(new Date(Date.now() + 7_200_000));
    expect(browser.received).toHaveLength(1);
  });

  it('delete a subscription the push service says is gone (410, 404), and push nothing more to it', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const gone = await subscribe(bob);
    gone.answers.push(410);
    const missing = await subscribe(cat);
    missing.answers.push(404);
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat]);
    await drain();
    expect(await knex()('pm_push_subscriptions').whereIn('user_id', [bob.id, cat.id])).toHaveLength(0);
    await reply(ctx.strapi, ann, thread.id, 'more');
    await drain();
    expect(gone.received).toHaveLength(0);
    expect(await knex()('pm_outbox').where({ kind: 'push', user_id: bob.id, status: 'pending' })).toHaveLength(0);
  });
});

describe('the push lane', () => {
  const writesDuring = async (work: () => Promise<void>) => {
    const sql = (await statementsDuring(knex(), work)).map((q) => q.sql);
    const updates = (table: string) => sql.filter((q) => new RegExp(`^update [\`"]?${table}[\`"]?\\s`, 'i').test(q)).length;
    return { outbox: updates('pm_outbox'), subscriptions: updates('pm_push_subscriptions') };
  };

  it('writes a batch’s pushes in a few statements, not two per push', async () => {
    const [ann, ...members] = await ctx.users(11);
    const browsers = [];
    for (const m of members) {
      browsers.push(await subscribe(m), await subscribe(m));
      await as(ctx.strapi, m).put('/preferences', { emailNotifications: 'never' }).expect(200);
    }
    // From here the outbox drains when a test says so (no kick in the background), so what is
    // counted is the drain's; the tests after this one drain explicitly.
    await outbox().stop();
    await startThread(ctx.strapi, ann, members, { subject: 'Batch' });
    const writes = await writesDuring(() => drain());
    for (const b of browsers) expect(b.received).toHaveLength(1);
    // Twenty pushes: each subscription's last success in one statement, the outbox's claims,
    // `sending` and `sent` in a handful (the job's and the emails' included).
    expect(writes.subscriptions).toBe(1);
    expect(writes.outbox).toBeLessThan(browsers.length);
    expect(await knex()('pm_outbox').where({ kind: 'push', status: 'sent' }).whereIn('user_id', members.map((m) => m.id))).toHaveLength(20);
  }, 120_000);

  it('reaches a user on an email digest: a digest replaces emails, not pushes', async () => {
    const [ann, bob] = await ctx.users(2);
    const browser = await subscribe(bob);
    await as(ctx.strapi, bob).put('/preferences', { emailDigest: 'daily' }).expect(200);
    await startThread(ctx.strapi, ann, [bob]);
    await drain();
    expect(browser.received).toHaveLength(1);
    expect(await knex()('pm_outbox').where({ kind: 'email', user_id: bob.id })).toHaveLength(0);
  });

  it('finds the subscriptions of a broadcast’s members a slice at a time, and pushes to each once', async () => {
    const [ann] = await ctx.users(1);
    const crowd: number[] = [];
    const browsers = [];
    const role = (await knex()('up_roles').where({ type: 'authenticated' }).first()).id;
    for (let i = 0; i < 450; i += 1) {
      const u = await ctx.strapi.db.query('plugin::users-permissions.user').create({
        data: { username: `pushcrowd${i}`, email: `pushcrowd${i}@example.test`, provider: 'local', confirmed: true, blocked: false, role },
      });
      crowd.push(u.id);
      const browser = service.browser();
      await ctx.strapi.plugin('private-messages').service('push').subscribe(u.id, browser.subscription);
      await ctx.strapi.plugin('private-messages').service('preferences').update(u.id, { push: 'every', emailNotifications: 'never' });
      browsers.push(browser);
    }
    const statements = await statementsDuring(knex(), async () => {
      await ctx.strapi.plugin('private-messages').service('messaging').send({ author: ann.id, recipients: crowd, subject: 'To all', body: 'Hello' }, { bypassRules: true });
      await drain();
    });
    const sql = statements.map((q) => q.sql);
    // 450 members: three slices of at most EXPANSION_SLICE (200) memberships.
    expect(sql.filter((q) => /^select .* from [`"]?pm_push_subscriptions[`"]? as [`"]?s[`"]? inner join/i.test(q))).toHaveLength(3);
    for (const b of browsers) expect(b.received).toHaveLength(1);
  }, 180_000);
});

(isPostgres() || isMysql() ? describe : describe.skip)('pushes with two instances', () => {
  it('leave once each when both instances drain at the same moment', async () => {
    const [ann, ...members] = await ctx.users(9);
    const browsers = [];
    for (const m of members) browsers.push(await subscribe(m));
    // The push service fails once for everyone: the retries come due together for both instances.
    for (const b of browsers) b.answers.push(503);
    for (let i = 0; i < 3; i += 1) await startThread(ctx.strapi, ann, members, { subject: `Push ${i}` });
    await drain();
    await knex()('pm_outbox').where({ kind: 'push', status: 'pending' }).update({ next_attempt_at: new Date(Date.now() + 3_600_000) });
    const at = new Date(Date.now() + 2 * 3_600_000);
    const other = await startSecondInstance({ env: service.env });
    try {
      const theirs = Promise.all([0, 1, 2].map(() => other.drain(at)));
      for (let i = 0; i < 3; i += 1) await outbox().drain(at);
      await theirs;
      expect(await other.exit()).toBe(0);
    } finally {
      await other.kill();
    }
    for (const b of browsers) expect(b.received).toHaveLength(3);
  }, 120_000);
});
