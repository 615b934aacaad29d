import { startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { useSmtp, type Mail } from '../helpers/smtp';
import { startSecondInstance, type SecondInstance } from '../helpers/second-instance';
import { waitFor } from '../helpers/wait';

/*
 * Two Strapi instances on one database and one outbox, with a lease of 1.5 s instead of 60 s:
 * this process, and a second one (test/helpers/second-instance-process.js) that a test may kill. This
 * instance's outbox is stopped, so it drains only when a test says so (a send's kick would race
 * the other instance).
 */
const LEASE_MS = 1500;
const { smtp, env } = useSmtp();
env.PRIVATE_MESSAGES_OUTBOX_LEASE_MS = String(LEASE_MS); // `env` itself: the SMTP port is added to it before boot
const ctx = useStrapi({ env });

const knex = () => ctx.strapi.db.connection;
const outbox = () => ctx.strapi.plugin('private-messages').service('outbox');
const preferences = () => ctx.strapi.plugin('private-messages').service('preferences');
const emailOf = (u: { username: string }) => `${u.username}@example.test`;
const messageIdOf = (mail: Mail) => /^Message-ID: *(.*)$/im.exec(mail.raw)?.[1]?.trim();
const MESSAGE_ID = /^<pm-[0-9a-f]{16}@playground\.test>$/;

let worker: SecondInstance | undefined;
beforeAll(async () => {
  await outbox().stop();
});
afterEach(async () => {
  smtp.release();
  await worker?.exit();
  worker = undefined;
});

describe('outbox claims', () => {
  it('stay with their instance while a slow mail server holds the batch past its lease: each email once', async () => {
    const [author, ...members] = await ctx.users(4);
    for (const m of members) await preferences().update(m.id, { emailNotifications: 'every' });
    // Booted first and drained only on command: its boot kick must not take the batch this instance claims.
    worker = await startSecondInstance({ outboxOnCommand: true });
    await startThread(ctx.strapi, author, members, { subject: 'Slow mail server' });

    smtp.hold();
    const mine = outbox().drain();
    expect(await waitFor(() => smtp.waiting === 3, 10_000)).toBe(true);
    const claimedBy = Date.now();

    // The other instance drains again and again, until one of its drains began after this batch's
    // first lease had run out twice over (it found nothing to take), or it took an email (a second copy in flight).
    let looking = true;
    const secondCopy = waitFor(() => !looking || smtp.waiting > 3, 60_000);
    let lookedLateEnough = false;
    while (!lookedLateEnough && smtp.waiting === 3) {
      const startedAt = Date.now();
      await Promise.race([worker.drain(), secondCopy]);
      lookedLateEnough = startedAt > claimedBy + 2 * LEASE_MS;
    }
    looking = false;
    expect(smtp.waiting).toBe(3);

    smtp.release();
    expect(await mine).toBe(4); // the job and its three emails
    expect(await waitFor(() => smtp.mails.length >= 3, 10_000)).toBe(true);
    await worker.exit();
    worker = undefined;
    expect(smtp.mails.map((m) => m.to.join()).sort()).toEqual(members.map(emailOf).sort());
    const rows = await knex()('pm_outbox').select('status').where({ kind: 'email' });
    expect(rows.map((r: { status: string }) => r.status)).toEqual(['sent', 'sent', 'sent']);
  }, 120_000);

  it('send each email once, with a Message-ID of its own', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    for (const u of [bob, cat]) await preferences().update(u.id, { emailNotifications: 'every' });
    await startThread(ctx.strapi, ann, [bob, cat], { subject: 'Ids' });
    await outbox().drain();
    await outbox().drain();
    const [toBob] = smtp.to(emailOf(bob));
    const [toCat] = smtp.to(emailOf(cat));
    expect([smtp.to(emailOf(bob)).length, smtp.to(emailOf(cat)).length]).toEqual([1, 1]);
    expect(messageIdOf(toBob)).toMatch(MESSAGE_ID);
    expect(messageIdOf(toCat)).toMatch(MESSAGE_ID);
    expect(messageIdOf(toBob)).not.toBe(messageIdOf(toCat));
  }, 60_000);

  it('of an instance killed after the mail server took the email, before it was marked sent: sent again with the same Message-ID', async () => {
    const [ann, dan] = await ctx.users(2);
    await preferences().update(dan.id, { emailNotifications: 'every' });
    await startThread(ctx.strapi, ann, [dan], { subject: 'Crash' });
    worker = await startSecondInstance();

    smtp.hold();
    worker.drain().catch(() => {}); // it is killed in the middle of this drain, which then never answers
    expect(await waitFor(() => smtp.waiting === 1, 20_000)).toBe(true);
    const row = await knex()('pm_outbox').select('id', 'status').where({ kind: 'email', user_id: dan.id }).first();
    expect(row.status).toBe('sending');
    await worker.kill();
    worker = undefined;
    smtp.release(); // the mail server accepts what the dead instance handed it
    expect(await waitFor(() => smtp.to(emailOf(dan)).length === 1, 10_000)).toBe(true);

    // This instance takes the email over once the dead one's lease has run out.
    expect(
      await waitFor(async () => {
        await outbox().drain();
        return smtp.to(emailOf(dan)).length === 2;
      }, 10 * LEASE_MS)
    ).toBe(true);
    const [first, again] = smtp.to(emailOf(dan));
    expect(messageIdOf(first)).toMatch(MESSAGE_ID);
    expect(messageIdOf(again)).toBe(messageIdOf(first));
    const after = await knex()('pm_outbox').select('status', 'attempts').where({ id: row.id }).first();
    expect(after.status).toBe('sent');
    expect(Number(after.attempts)).toBe(1); // the interrupted attempt counts
    await outbox().drain();
    expect(smtp.to(emailOf(dan))).toHaveLength(2);
  }, 120_000);
});
