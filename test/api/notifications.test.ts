import { as, reply, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { useSmtp } from '../helpers/smtp';
import type { TestUser } from '../helpers/users';

const { smtp, env } = useSmtp();
const ctx = useStrapi({ env });

const outbox = () => ctx.strapi.plugin('private-messages').service('outbox');
const settings = () => ctx.strapi.plugin('private-messages').service('settings');
const emailOf = (u: TestUser) => `${u.username}@example.test`;
const level = (u: TestUser, emailNotifications: string) => as(ctx.strapi, u).put('/preferences', { emailNotifications }).expect(200);
const drain = async () => {
  await outbox().drain();
  await outbox().drain();
};

describe('email notification levels', () => {
  it('deliver what each level promises and nothing more', async () => {
    const [author, never, newThreads, firstUnread, every] = await ctx.users(5);
    await level(never, 'never');
    await level(newThreads, 'newThreads');
    await level(firstUnread, 'firstUnread');
    await level(every, 'every');
    const { thread } = await startThread(ctx.strapi, author, [never, newThreads, firstUnread, every], { subject: 'Levels' });
    await drain();
    await reply(ctx.strapi, author, thread.id, 'second');
    await drain();
    await as(ctx.strapi, firstUnread).post(`/threads/${thread.id}/read`).expect(200);
    await reply(ctx.strapi, author, thread.id, 'third');
    await drain();

    expect(smtp.to(emailOf(never))).toHaveLength(0);
    expect(smtp.to(emailOf(newThreads))).toHaveLength(1);
    expect(smtp.to(emailOf(firstUnread))).toHaveLength(2);
    expect(smtp.to(emailOf(every))).toHaveLength(3);
    expect(smtp.to(emailOf(author))).toHaveLength(0);
  });

  it('use the site default for users who did not choose', async () => {
    await settings().update({ emailNotificationsDefault: 'never' });
    try {
      const [ann, bob] = await ctx.users(2);
      await startThread(ctx.strapi, ann, [bob]);
      await drain();
      expect(smtp.to(emailOf(bob))).toHaveLength(0);
    } finally {
      await settings().update({ emailNotificationsDefault: 'firstUnread' });
    }
  });

  it('never reach a member who left, who blocked the author, or who turned messaging off', async () => {
    const [ann, left, blocker, off, plain] = await ctx.users(5);
    for (const u of [left, blocker, off, plain]) await level(u, 'every');
    const { thread } = await startThread(ctx.strapi, ann, [left, blocker, off, plain]);
    await drain();
    await as(ctx.strapi, left).post(`/threads/${thread.id}/leave`).expect(204);
    await as(ctx.strapi, blocker).post('/blocks', { userId: ann.id }).expect(201);
    await as(ctx.strapi, off).put('/preferences', { messagingEnabled: false }).expect(200);
    await reply(ctx.strapi, ann, thread.id, 'after');
    await drain();
    for (const u of [left, blocker, off]) expect(smtp.to(emailOf(u))).toHaveLength(1);
    expect(smtp.to(emailOf(plain))).toHaveLength(2);
  });

  it('never email what was written while the member had blocked its author, even when the block is lifted before the email leaves', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    await level(ann, 'every');
    const { thread } = await startThread(ctx.strapi, cat, [ann, bob]);
    await drain();
    await as(ctx.strapi, ann).post('/blocks', { userId: bob.id }).expect(201);
    await reply(ctx.strapi, bob, thread.id, 'during the block');
    await as(ctx.strapi, ann).del(`/blocks/${bob.id}`).expect(204);
    await drain();
    expect(smtp.to(emailOf(ann))).toHaveLength(1);
    await reply(ctx.strapi, bob, thread.id, 'after the block');
    await drain();
    expect(smtp.to(emailOf(ann))).toHaveLength(2);
  });
});

describe('the email', () => {
  it('carries the sender, the subject, an excerpt and a link to the thread, as text and HTML', async () => {
    await settings().update({ threadUrlTemplate: 'https://front.example/messages/{threadId}' });
    const [ann, bob] = await ctx.users(2);
    await level(bob, 'every');
    const { thread } = await startThread(ctx.strapi, ann, [bob], { subject: 'Order #42', body: 'Where is <my> parcel?' });
    await drain();
    const [mail] = smtp.to(emailOf(bob));
    expect(mail.subject).toContain(ann.username);
    expect(mail.subject).toContain('Order #42');
    const raw = mail.raw.replace(/=\r?\n/g, '');
    expect(raw).toContain('text/plain');
    expect(raw).toContain('text/html');
    expect(raw).toContain(`https://front.example/messages/${thread.id}`);
    expect(raw).toMatch(/Where is <my> parcel\?/);
    expect(raw).toMatch(/Where is &lt;my&gt; parcel\?/);
  });
});

describe('Message-IDs', () => {
  it('carry nothing a recipient could count other emails by: no row id, no order, none shared', async () => {
    const [author, ...crowd] = await ctx.users(4);
    for (const u of crowd) await level(u, 'every');
    await startThread(ctx.strapi, author, crowd, { subject: 'Count us' });
    await drain();
    const ids = crowd.map((u) => /^Message-ID: *(.*)$/im.exec(smtp.to(emailOf(u))[0].raw)![1].trim());
    // The email's own random key and the domain: nothing else (a row id would be ordered across users).
    for (const id of ids) expect(id).toMatch(/^<pm-[0-9a-f]{16}@[^>]+>$/);
    expect(new Set(ids).size).toBe(3);
  });
});

describe('the outbox', () => {
  it('keeps failed emails with their error, retries them, and delivers each once when SMTP is back', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    await level(bob, 'every');
    await level(cat, 'every');
    await smtp.stop();
    try {
      await startThread(ctx.strapi, ann, [bob, cat]);
      await drain();
      const failed = await ctx.strapi.db.connection('pm_outbox').where({ kind: 'email', status: 'pending' }).whereNotNull('last_error');
      expect(failed.length).toBeGreaterThanOrEqual(2);
      expect(failed[0].attempts).toBeGreaterThanOrEqual(1);
    } finally {
      await smtp.start();
    }
    // Not yet due: backoff.
    await outbox().drain();
    expect(smtp.to(emailOf(bob))).toHaveLength(0);
    await outbox().drain(new Date(Date.now() + 2 * 3_600_000));
    await outbox().drain(new Date(Date.now() + 4 * 3_600_000));
    expect(smtp.to(emailOf(bob))).toHaveLength(1);
    expect(smtp.to(emailOf(cat))).toHaveLength(1);
    const pending = await ctx.strapi.db.connection('pm_outbox').where({ status: 'pending' });
    expect(pending).toEqual([]);
  });

  it('writes one job row per message, whatever the number of members, in the message’s transaction', async () => {
    const [ann, ...others] = await ctx.users(6);
    const before = await ctx.strapi.db.connection('pm_outbox').where({ kind: 'job' }).count({ n: '*' });
    await startThread(ctx.strapi, ann, others);
    const after = await ctx.strapi.db.connection('pm_outbox').where({ kind: 'job' }).count({ n: '*' });
    expect(Number(after[0].n) - Number(before[0].n)).toBe(1);
    await drain();
  });

  it('tells moderators about reports: the configured addresses and admins holding the moderation action', async () => {
    await settings().update({ moderatorEmails: ['mods@example.test'] });
    const superAdmin = await ctx.strapi.service('admin::role').getSuperAdmin();
    await ctx.strapi.service('admin::user').create({
      email: 'chief@example.test', firstname: 'Chief', lastname: 'Admin', password: 'Chief-pass-123', isActive: true, roles: [superAdmin.id],
    });
    const [ann, bob] = await ctx.users(2);
    const { message } = await startThread(ctx.strapi, ann, [bob], { body: 'rude words' });
    await as(ctx.strapi, bob).post(`/messages/${message.id}/report`, { reason: 'Rude' }).expect(201);
    await drain();
    for (const address of ['mods@example.test', 'chief@example.test']) {
      const [mail] = smtp.to(address);
      expect(mail.subject).toContain(bob.username);
      expect(mail.raw).toContain('Rude');
    }
  });

  it('link reports to the moderation queue by an absolute URL: the adminUrl setting, else the admin panel\'s own', async () => {
    await settings().update({ moderatorEmails: ['queue@example.test'] });
    const queueLink = (mail: { raw: string }) => /Moderation queue: (\S+)/.exec(mail.raw.replace(/=\r?\n/g, ''))?.[1];
    const reportOnce = async () => {
      const [ann, bob] = await ctx.users(2);
      const { message } = await startThread(ctx.strapi, ann, [bob], { body: 'spam' });
      await as(ctx.strapi, bob).post(`/messages/${message.id}/report`, { reason: 'Spam' }).expect(201);
      await drain();
      return smtp.to('queue@example.test').at(-1)!;
    };
    // Unset: Strapi's absolute admin URL (the server's url, or its host and port), never a bare path.
    const adminBase = ctx.strapi.config.get('admin.absoluteUrl') as string;
    expect(adminBase).toMatch(/^https?:\/\//);
    expect(queueLink(await reportOnce())).toBe(`${adminBase}/plugins/private-messages`);

    ctx.strapi.config.set('plugin::private-messages.adminUrl', 'https://cms.example.test/admin');
    try {
      expect(queueLink(await reportOnce())).toBe('https://cms.example.test/admin/plugins/private-messages');
    } finally {
      ctx.strapi.config.set('plugin::private-messages.adminUrl', null);
      await settings().update({ moderatorEmails: [] });
    }
  });
});
