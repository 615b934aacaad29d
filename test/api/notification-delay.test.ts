import { as, reply, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { useSmtp } from '../helpers/smtp';
import { startSecondInstance } from '../helpers/second-instance';
import { isMysql, isPostgres } from '../helpers/strapi';
import type { TestUser } from '../helpers/users';

/*
 * emailDelaySeconds: a notification email waits in the outbox (its due time) and is dropped if
 * its recipient read the thread meanwhile, wherever they read it: the check is part of the
 * statement that hands the email over, on every database and every instance.
 */
const { smtp, env } = useSmtp();
const ctx = useStrapi({ env });

const DELAY = 120;
const outbox = () => ctx.strapi.plugin('private-messages').service('outbox');
const settings = () => ctx.strapi.plugin('private-messages').service('settings');
const emailOf = (u: TestUser) => `${u.username}@example.test`;
const every = (u: TestUser) => as(ctx.strapi, u).put('/preferences', { emailNotifications: 'every' }).expect(200);
/** A drain as the clock will be `seconds` from now (jobs, then the emails they made). */
const drainAt = async (seconds: number) => {
  const at = new Date(Date.now() + seconds * 1000);
  await outbox().drain(at);
  await outbox().drain(at);
};
const rowsOf = (u: TestUser) => ctx.strapi.db.connection('pm_outbox').where({ kind: 'email', user_id: u.id }).orderBy('id');

beforeAll(async () => {
  await settings().update({ emailDelaySeconds: DELAY });
});

describe('emailDelaySeconds', () => {
  it('holds the email until its due time', async () => {
    const [ann, bob] = await ctx.users(2);
    await every(bob);
    await startThread(ctx.strapi, ann, [bob], { subject: 'Held' });
    await drainAt(0);
    expect(smtp.to(emailOf(bob))).toHaveLength(0);
    const [row] = await rowsOf(bob);
    expect(row.status).toBe('pending');
    expect(new Date(row.next_attempt_at).getTime()).toBeGreaterThan(Date.now() + (DELAY - 10) * 1000);
    await drainAt(DELAY + 1);
    expect(smtp.to(emailOf(bob))).toHaveLength(1);
  });

  it('drops the email when the recipient read the thread within the delay, and says so in the outbox', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    await every(bob);
    await every(cat);
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat], { subject: 'Read it already' });
    await drainAt(0);
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/read`).expect(200);
    await drainAt(DELAY + 1);
    expect(smtp.to(emailOf(bob))).toHaveLength(0);
    expect(smtp.to(emailOf(cat))).toHaveLength(1);
    expect((await rowsOf(bob)).map((r: { status: string }) => r.status)).toEqual(['dropped']);
  });

  it('drops only what was read: a reply after the read still goes out', async () => {
    const [ann, bob] = await ctx.users(2);
    await every(bob);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await drainAt(0);
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/read`).expect(200);
    await reply(ctx.strapi, ann, thread.id, 'after your read');
    await drainAt(DELAY + 1);
    const mails = smtp.to(emailOf(bob));
    expect(mails).toHaveLength(1);
    expect(mails[0].raw).toContain('after your read');
  });

  it('sends the email when the read comes after it left', async () => {
    const [ann, bob] = await ctx.users(2);
    await every(bob);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await drainAt(0);
    await drainAt(DELAY + 1);
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/read`).expect(200);
    await drainAt(DELAY + 2);
    expect(smtp.to(emailOf(bob))).toHaveLength(1);
    expect((await rowsOf(bob)).map((r: { status: string }) => r.status)).toEqual(['sent']);
  });

  it('drops the email of a member who blocked the author or left the thread meanwhile', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    await every(bob);
    await every(cat);
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat]);
    await drainAt(0);
    await as(ctx.strapi, bob).post('/blocks', { userId: ann.id }).expect(201);
    await as(ctx.strapi, cat).post(`/threads/${thread.id}/leave`).expect(204);
    await drainAt(DELAY + 1);
    expect(smtp.to(emailOf(bob))).toHaveLength(0);
    expect(smtp.to(emailOf(cat))).toHaveLength(0);
  });

  it('never delays a report to the moderators', async () => {
    await settings().update({ moderatorEmails: ['mods-delay@example.test'] });
    try {
      const [ann, bob] = await ctx.users(2);
      const { message } = await startThread(ctx.strapi, ann, [bob]);
      await as(ctx.strapi, bob).post(`/messages/${message.id}/report`, { reason: 'spam' }).expect(201);
      await drainAt(0);
      expect(smtp.to('mods-delay@example.test')).toHaveLength(1);
    } finally {
      await settings().update({ moderatorEmails: [] });
    }
  });

  it('is a setting between 0 and a day', async () => {
    for (const bad of [-1, 86_401, 1.5, '60']) {
      await expect(settings().update({ emailDelaySeconds: bad })).rejects.toMatchObject({ name: 'ValidationError' });
    }
    expect((await settings().getFresh()).emailDelaySeconds).toBe(DELAY);
  });
});

/* Several instances share the outbox and the read state: a read through one drops the email another sends. */
(isPostgres() || isMysql() ? describe : describe.skip)('emailDelaySeconds across instances', () => {
  it('drops the email when the recipient read the thread through another instance, whichever instance drains', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    await every(bob);
    await every(cat);
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat], { subject: 'Two instances' });
    await drainAt(0);
    const other = await startSecondInstance({ listen: true });
    try {
      const res = await fetch(`${other.base}/api/private-messages/threads/${thread.id}/read`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bob.jwt}` },
      });
      expect(res.status).toBe(200);
      const at = new Date(Date.now() + (DELAY + 1) * 1000);
      // Both instances drain at the due time, at once.
      const [theirs] = await Promise.all([other.drain(at).then(() => other.drain(at)), outbox().drain(at)]);
      void theirs;
      await outbox().drain(at);
      expect(await other.exit()).toBe(0);
    } finally {
      await other.kill();
    }
    expect(smtp.to(emailOf(bob))).toHaveLength(0);
    expect(smtp.to(emailOf(cat))).toHaveLength(1);
  }, 120_000);
});
