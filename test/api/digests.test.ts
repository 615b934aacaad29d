import { as, reply, startThread } from '../helpers/api';
import { expectValidationError } from '../helpers/assertions';
import { useStrapi } from '../helpers/setup';
import { useSmtp } from '../helpers/smtp';
import type { TestUser } from '../helpers/users';

/*
 * Digests: a user on `emailDigest: daily | weekly` gets one email per period listing the threads
 * with unread messages from it (subjects, authors, counts, links; no body), and no other email.
 * The cron enqueues one outbox row per user and period; the outbox sends it.
 */
const { smtp, env } = useSmtp();
const ctx = useStrapi({ env });

const DAY = 86_400_000;
const digest = () => ctx.strapi.plugin('private-messages').service('digest');
const outbox = () => ctx.strapi.plugin('private-messages').service('outbox');
const emailOf = (u: TestUser) => `${u.username}@example.test`;
const knex = () => ctx.strapi.db.connection;
const drain = async () => {
  await outbox().drain();
  await outbox().drain();
};
const onDigest = (u: TestUser, emailDigest: string) => as(ctx.strapi, u).put('/preferences', { emailDigest }).expect(200);
/** Today's daily digest: the run a day from now, whose last whole day is today (UTC). */
const tomorrow = () => new Date(Date.now() + DAY);
const startOfToday = () => {
  const n = new Date();
  return new Date(Date.UTC(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate()));
};
const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
const messageIdOf = (raw: string) => /^Message-ID: *(.*)$/im.exec(raw)![1].trim();
const digestRows = (u: TestUser) => knex()('pm_outbox').where({ event: 'digest', user_id: u.id });

describe('the emailDigest preference', () => {
  it('is off by default, takes daily or weekly, and refuses anything else', async () => {
    const [ann] = await ctx.users(1);
    expect((await as(ctx.strapi, ann).get('/preferences').expect(200)).body.data.emailDigest).toBe('off');
    expect((await onDigest(ann, 'weekly')).body.data.emailDigest).toBe('weekly');
    expectValidationError(await as(ctx.strapi, ann).put('/preferences', { emailDigest: 'hourly' }), ['emailDigest']);
  });

  it('replaces every other notification email', async () => {
    const [ann, bob] = await ctx.users(2);
    await as(ctx.strapi, bob).put('/preferences', { emailNotifications: 'every', emailDigest: 'daily' }).expect(200);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await reply(ctx.strapi, ann, thread.id, 'again');
    await drain();
    expect(smtp.to(emailOf(bob))).toHaveLength(0);
  });
});

describe('a daily digest', () => {
  it('lists the threads with unread messages of the day: subjects, authors, counts and links, never a body', async () => {
    const [ann, cat, bob] = await ctx.users(3);
    await onDigest(bob, 'daily');
    const one = (await startThread(ctx.strapi, ann, [bob], { subject: 'Parcel <b>42</b>', body: 'SECRET-BODY-1' })).thread;
    await reply(ctx.strapi, ann, one.id, 'SECRET-BODY-2');
    await reply(ctx.strapi, cat, (await startThread(ctx.strapi, cat, [bob], { subject: 'Holidays', body: 'SECRET-BODY-3' })).thread.id, 'x');
    const read = (await startThread(ctx.strapi, ann, [bob], { subject: 'Already read' })).thread;
    await as(ctx.strapi, bob).post(`/threads/${read.id}/read`).expect(200);

    expect(await digest().run(tomorrow())).toBeGreaterThanOrEqual(1);
    await drain();
    const mails = smtp.to(emailOf(bob));
    expect(mails).toHaveLength(1);
    const raw = decoded(mails[0].raw);
    expect(raw).toContain(`Parcel <b>42</b> (${ann.username}): 2 unread, http://localhost:3000/messages/${one.id}`);
    expect(raw).toContain('Parcel &lt;b&gt;42&lt;/b&gt;');
    expect(raw).toContain(`Holidays (${cat.username}): 2 unread`);
    expect(raw).not.toContain('Already read');
    expect(raw).not.toContain('SECRET-BODY');
    expect(mails[0].subject).toContain('2');
  });

  it('counts only messages of the period: one a millisecond before its start is left out, one at its start is in', async () => {
    const [ann, bob] = await ctx.users(2);
    await onDigest(bob, 'daily');
    const before = (await startThread(ctx.strapi, ann, [bob], { subject: 'Before the day' })).message;
    const at = (await startThread(ctx.strapi, ann, [bob], { subject: 'At the start' })).message;
    await knex()('pm_messages').where({ document_id: before.id }).update({ created_at: new Date(startOfToday().getTime() - 1) });
    await knex()('pm_messages').where({ document_id: at.id }).update({ created_at: startOfToday() });
    await digest().run(tomorrow());
    await drain();
    const raw = decoded(smtp.to(emailOf(bob))[0].raw);
    expect(raw).toContain('At the start');
    expect(raw).not.toContain('Before the day');
  });

  it('sends nothing when nothing is unread, and keeps the row as dropped', async () => {
    const [ann, bob] = await ctx.users(2);
    await onDigest(bob, 'daily');
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/read`).expect(200);
    await digest().run(tomorrow());
    await drain();
    expect(smtp.to(emailOf(bob))).toHaveLength(0);
    expect((await digestRows(bob)).map((r: { status: string }) => r.status)).toEqual(['dropped']);
  });

  it('is enqueued once per user and period: a run repeated after a crash part way adds only what is missing, with the same Message-ID', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    await onDigest(bob, 'daily');
    await onDigest(cat, 'daily');
    await startThread(ctx.strapi, ann, [bob, cat], { subject: 'Once' });
    await digest().run(tomorrow());
    const [bobRow] = await digestRows(bob);
    // The run stopped before reaching cat: her row is missing; run again.
    await digestRows(cat).delete();
    await digest().run(tomorrow());
    await digest().run(tomorrow());
    expect(await digestRows(bob)).toHaveLength(1);
    expect(await digestRows(cat)).toHaveLength(1);
    expect((await digestRows(bob))[0].id).toBe(bobRow.id);
    await drain();
    expect(smtp.to(emailOf(bob))).toHaveLength(1);
    expect(smtp.to(emailOf(cat))).toHaveLength(1);
    // An instance that died after handing bob's digest over: the row is found in `sending` and
    // goes again with the Message-ID of the first copy, so his mail client shows one.
    await knex()('pm_outbox').where({ id: bobRow.id }).update({ status: 'sending', locked_until: new Date(Date.now() - 1000) });
    await drain();
    const copies = smtp.to(emailOf(bob));
    expect(copies).toHaveLength(2);
    expect(messageIdOf(copies[1].raw)).toBe(messageIdOf(copies[0].raw));
    // Another period, another Message-ID.
    await digest().run(new Date(Date.now() + 2 * DAY));
    expect(await digestRows(bob)).toHaveLength(2);
  });
});

describe('a weekly digest', () => {
  it('covers the whole week, Monday to Monday (UTC), once', async () => {
    const [ann, bob] = await ctx.users(2);
    await onDigest(bob, 'weekly');
    await startThread(ctx.strapi, ann, [bob], { subject: 'This week' });
    const nextWeek = new Date(Date.now() + 7 * DAY);
    await digest().run(nextWeek);
    await digest().run(new Date(nextWeek.getTime() + 60_000));
    await drain();
    const mails = smtp.to(emailOf(bob));
    expect(mails).toHaveLength(1);
    expect(decoded(mails[0].raw)).toContain('This week');
    const [row] = await digestRows(bob);
    const monday = new Date(startOfToday().getTime() - ((startOfToday().getUTCDay() + 6) % 7) * DAY);
    expect(row.digest_period).toBe(`weekly:${monday.toISOString().slice(0, 10)}`);
  });
});
