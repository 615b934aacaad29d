import { useStrapi } from '../helpers/setup';
import { useSmtp } from '../helpers/smtp';
import { as } from '../helpers/api';
import { createRole, grant, pluginActions } from '../helpers/users';
import { waitFor } from '../helpers/wait';
import { DEFERRED_DELIVERY_ABOVE } from '../../server/src/repositories/membership-delivery';

/*
 * The outbox worker runs two lanes: jobs (deliveries of replies to big threads, and turning
 * messages into email rows) and emails. A mail server that takes its time must not hold up
 * deliveries: members' counts would lag as long as the mail server does.
 */
const { smtp, env } = useSmtp();
const ctx = useStrapi({ env });
const CROWD = DEFERRED_DELIVERY_ABOVE + 10;

const knex = () => ctx.strapi.db.connection;
const outbox = () => ctx.strapi.plugin('private-messages').service('outbox');
const messaging = () => ctx.strapi.plugin('private-messages').service('messaging');
const settings = () => ctx.strapi.plugin('private-messages').service('settings');
const preferences = () => ctx.strapi.plugin('private-messages').service('preferences');

describe('outbox lanes', () => {
  it('deliver a reply to a big thread while the mail server is still busy with earlier emails', async () => {
    const [author] = await ctx.users(1);
    const crowd = await createRole(ctx.strapi, 'Lanes crowd');
    await grant(ctx.strapi, crowd.id, pluginActions(ctx.strapi));
    const members: number[] = [];
    for (let i = 0; i < CROWD; i += 1) {
      const u = await ctx.strapi.db.query('plugin::users-permissions.user').create({
        data: { username: `lane${i}`, email: `lane${i}@example.test`, provider: 'local', confirmed: true, blocked: false, role: crowd.id },
      });
      members.push(u.id);
    }

    // Few emails (the test mail server answers in ~150 ms each): members who chose none get none.
    await settings().update({ emailNotificationsDefault: 'never' });
    for (const id of members.slice(1, 4)) await preferences().update(id, { emailNotifications: 'every' });

    smtp.hold();
    try {
      // The new thread's emails (one per member) start going out and the first one hangs.
      const sent = await as(ctx.strapi, author).post('/threads', { recipients: [{ type: 'role', id: crowd.id }], subject: 'Lanes', body: 'Hello' }).expect(201);
      const threadId = Number((await knex()('pm_threads').select('id').where('document_id', sent.body.data.thread.id).first()).id);
      expect(await waitFor(async () => Number((await knex()('pm_outbox').count({ n: '*' }).where({ kind: 'email' }).first())?.n) > 0, 10_000)).toBe(true);

      // The author's reply reaches every holder of the role (a holder's would reach the author only).
      await messaging().reply({ author: author.id, threadId: sent.body.data.thread.id, body: 'A reply' });
      const delivered = await waitFor(async () => {
        const row = await knex()('pm_memberships').select('unread_count').where({ thread_id: threadId, user_id: members[1] }).first();
        return Number(row.unread_count) === 2;
      }, 10_000);
      expect(delivered).toBe(true);
      expect(smtp.mails).toHaveLength(0); // the mail server has not answered once yet
      // The three new-thread emails are all in flight at once (a batch sends a few in parallel).
      expect(await waitFor(async () => smtp.waiting === 3, 5_000)).toBe(true);
    } finally {
      smtp.release();
    }

    // Then every email goes out, once: the new thread and the reply to the three who asked for every message.
    await outbox().drain();
    expect(await waitFor(async () => smtp.mails.length >= 6, 10_000)).toBe(true);
    await outbox().drain();
    expect(smtp.mails).toHaveLength(6);
    for (const i of [1, 2, 3]) expect(smtp.to(`lane${i}@example.test`)).toHaveLength(2);
    await settings().update({ emailNotificationsDefault: 'firstUnread' });
  }, 60_000);

  it('sends emails while delivery jobs keep arriving (the emails lane does not wait for the jobs lane to go idle)', async () => {
    const [author] = await ctx.users(1);
    const crowd = await createRole(ctx.strapi, 'Steady crowd');
    await grant(ctx.strapi, crowd.id, pluginActions(ctx.strapi));
    let reader = 0;
    for (let i = 0; i < CROWD; i += 1) {
      const u = await ctx.strapi.db.query('plugin::users-permissions.user').create({
        data: { username: `steady${i}`, email: `steady${i}@example.test`, provider: 'local', confirmed: true, blocked: false, role: crowd.id },
      });
      if (i === 0) reader = u.id;
    }
    // One member wants every message by email; each reply is a job that delivers to the whole crowd
    // (a big thread), slower to work off than a reply is to send: the jobs lane never runs dry.
    await settings().update({ emailNotificationsDefault: 'never', rateLimit: { max: 0, windowSeconds: 60 } });
    await preferences().update(reader, { emailNotifications: 'every' });
    const sent = await as(ctx.strapi, author).post('/threads', { recipients: [{ type: 'role', id: crowd.id }], subject: 'Steady', body: 'Hello' }).expect(201);
    await outbox().drain();
    const before = smtp.to(`steady0@example.test`).length;

    let sending = true;
    let replies = 0;
    const sender = async () => {
      while (sending) {
        await as(ctx.strapi, author).post(`/threads/${sent.body.data.thread.id}/messages`, { body: `steady ${replies}` }).expect(201);
        replies += 1;
      }
    };
    const senders = [sender(), sender(), sender()];
    let mailsWhileSending = 0;
    try {
      // Replies keep coming (a dozen at least) until the first of their emails has arrived (15 s at most).
      await waitFor(async () => smtp.to('steady0@example.test').length > before && replies >= 12, 15_000);
      mailsWhileSending = smtp.to('steady0@example.test').length - before;
    } finally {
      sending = false;
      await Promise.all(senders);
      // Every reply's email goes out, once, before the next test.
      await outbox().drain();
      await outbox().idle();
      await settings().update({ emailNotificationsDefault: 'firstUnread', rateLimit: { max: 30, windowSeconds: 60 } });
    }
    expect(replies).toBeGreaterThanOrEqual(12);
    expect(mailsWhileSending).toBeGreaterThan(0);
    expect(smtp.to('steady0@example.test').length - before).toBe(replies);
  }, 120_000);

  it('stop (at shutdown) waits for the drain under way, its emails lane included, and starts no more', async () => {
    const [ann, bob] = await ctx.users(2);
    await preferences().update(bob.id, { emailNotifications: 'every' });
    const before = smtp.mails.length;
    smtp.hold();
    let stopped = false;
    let mailsWhenStopped = -1;
    let stopping: Promise<void> | undefined;
    try {
      await as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'Hello Bob' }).expect(201);
      // The kick's drain has turned the message into Bob's email and is sending it (held).
      expect(await waitFor(async () => Number((await knex()('pm_outbox').count({ n: '*' }).where({ kind: 'email', user_id: bob.id }).first())?.n) === 1, 10_000)).toBe(true);
      expect(await waitFor(async () => smtp.waiting === 1, 10_000)).toBe(true);
      stopping = outbox().stop().then(() => {
        stopped = true;
        mailsWhenStopped = smtp.mails.length;
      });
      // Stopping cannot end while the mail server holds the email.
      await new Promise((resolve) => setImmediate(resolve));
      expect(stopped).toBe(false);
    } finally {
      smtp.release();
    }
    await stopping;
    // stop() ended after the held email went out, not before.
    expect(mailsWhenStopped).toBe(before + 1);
    expect(smtp.mails.length).toBe(before + 1);
    const row = await knex()('pm_outbox').select('status').where({ kind: 'email', user_id: bob.id }).first();
    expect(row.status).toBe('sent');

    // Stopped: a send no longer drains by itself; an explicit drain still does.
    await as(ctx.strapi, bob).post('/threads', { recipients: [{ type: 'user', id: ann.id }], body: 'Back' }).expect(201);
    await preferences().update(ann.id, { emailNotifications: 'every' });
    // Nothing runs or is about to (a kick after stop() schedules nothing): the job is still there.
    await outbox().idle();
    expect(Number((await knex()('pm_outbox').count({ n: '*' }).where({ kind: 'job', status: 'pending' }).first())?.n)).toBe(1);
    await outbox().drain();
    expect(Number((await knex()('pm_outbox').count({ n: '*' }).where({ kind: 'job', status: 'pending' }).first())?.n)).toBe(0);
  }, 60_000);
});
