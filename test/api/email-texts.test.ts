import { startThread } from '../helpers/api';
import { ADMIN_ACTIONS, asAdmin, createLimitedAdmin, createSuperAdmin, type TestAdmin } from '../helpers/admin';
import { expectValidationError } from '../helpers/assertions';
import { useStrapi } from '../helpers/setup';
import { useSmtp, type Mail } from '../helpers/smtp';
import type { TestUser } from '../helpers/users';

/*
 * The email texts a site owns: a subject and a body per notification kind, with placeholders,
 * saved with the settings (an unknown placeholder is a 400 naming it), rendered escaped, and
 * previewed and test-sent by the same function the outbox uses.
 */
const { smtp, env } = useSmtp();
const ctx = useStrapi({ env });

let admin: TestAdmin;
const outbox = () => ctx.strapi.plugin('private-messages').service('outbox');
const emailOf = (u: TestUser) => `${u.username}@example.test`;
const store = () => ctx.strapi.store({ type: 'plugin', name: 'private-messages' });
const drain = async () => {
  await outbox().drain();
  await outbox().drain();
};

/** A MIME part of `mail` (text/plain or text/html), its transfer encoding undone. */
const part = (mail: Mail, type: 'text/plain' | 'text/html') => {
  const at = mail.raw.indexOf(`Content-Type: ${type}`);
  if (at < 0) throw new Error(`no ${type} part`);
  const headersEnd = mail.raw.indexOf('\r\n\r\n', at);
  const headers = mail.raw.slice(at, headersEnd);
  const rest = mail.raw.slice(headersEnd + 4);
  const content = rest.slice(0, rest.search(/\r\n--/));
  const encoding = /Content-Transfer-Encoding: (\S+)/i.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(content, 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const soft = content.replace(/=\r\n/g, '');
    return Buffer.from(soft.replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
  return content;
};
/** The subject header, decoded from RFC 2047 encoded words where the sender used them. */
const subjectOf = (mail: Mail) => {
  const folded = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(mail.raw)![1].replace(/\r\n[ \t]/g, ' ');
  return folded.replace(/=\?UTF-8\?([QB])\?([^?]*)\?=\s*/gi, (_, enc, text) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (_m: string, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
  ).trim();
};
const normalized = (s: string) => s.replace(/\r\n/g, '\n').trim();

beforeAll(async () => {
  admin = await createSuperAdmin(ctx.strapi);
});

afterEach(async () => {
  await store().delete({ key: 'settings' });
  ctx.strapi.plugin('private-messages').service('settings').forgetCached();
});

describe('saving email texts', () => {
  it('refuses an unknown placeholder with a 400 that names it, and saves nothing', async () => {
    const res = await asAdmin(ctx.strapi, admin)
      .put('/settings', { emailTemplates: { reply: { subject: 'Hi {{author}}', body: 'Hello {{password}}' } } })
      .expect(400);
    expectValidationError(res, ['emailTemplates', 'reply', 'body']);
    expect(JSON.stringify(res.body.error)).toContain('{{password}}');
    expect(await store().get({ key: 'settings' })).toBeNull();
  });

  it('refuses a placeholder of another kind (a report’s reason in a reply)', async () => {
    const res = await asAdmin(ctx.strapi, admin).put('/settings', { emailTemplates: { reply: { subject: '{{reason}}', body: 'x' } } }).expect(400);
    expectValidationError(res, ['emailTemplates', 'reply', 'subject']);
  });

  it('saves a text, and null brings the default back', async () => {
    const text = { subject: 'Reply by {{author}}', body: '{{excerpt}} -- {{url}}' };
    const res = await asAdmin(ctx.strapi, admin).put('/settings', { emailTemplates: { reply: text } }).expect(200);
    expect(res.body.data.emailTemplates.reply).toEqual(text);
    const back = await asAdmin(ctx.strapi, admin).put('/settings', { emailTemplates: { reply: null } }).expect(200);
    expect(back.body.data.emailTemplates.reply).toBeNull();
  });
});

describe('notification emails from the site’s texts', () => {
  it('use the saved text, with every value escaped in HTML and a hostile subject kept to one line', async () => {
    await asAdmin(ctx.strapi, admin)
      .put('/settings', { emailTemplates: { newThread: { subject: '[Site] {{author}}: {{subject}}', body: 'Look <b>here</b>:\n{{excerpt}}\n\n{{url}}' } } })
      .expect(200);
    const [ann, bob] = await ctx.users(2);
    await startThread(ctx.strapi, ann, [bob], { subject: '<script>alert(1)</script>', body: 'A & B <img src=x onerror=alert(2)>' });
    await drain();
    const [mail] = smtp.to(emailOf(bob));
    expect(subjectOf(mail)).toBe(`[Site] ${ann.username}: <script>alert(1)</script>`);
    const html = part(mail, 'text/html');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('Look &lt;b&gt;here&lt;/b&gt;');
    expect(html).toContain('A &amp; B &lt;img');
    expect(normalized(part(mail, 'text/plain'))).toContain('Look <b>here</b>:');
  });

  it('keeps a line break in a value out of the subject (no header can be added)', async () => {
    await asAdmin(ctx.strapi, admin).put('/settings', { emailTemplates: { newThread: { subject: '{{subject}}', body: '{{excerpt}}' } } }).expect(200);
    const [ann, bob] = await ctx.users(2);
    await startThread(ctx.strapi, ann, [bob], { subject: 'Hi\r\nBcc: victim@example.test' });
    await drain();
    const [mail] = smtp.to(emailOf(bob));
    expect(mail.to).toEqual([emailOf(bob)]);
    expect(mail.raw).not.toMatch(/^Bcc:/im);
  });

  it('use the French defaults when the language is French', async () => {
    await asAdmin(ctx.strapi, admin).put('/settings', { emailLocale: 'fr' }).expect(200);
    const [ann, bob] = await ctx.users(2);
    await startThread(ctx.strapi, ann, [bob], { subject: 'Commande' });
    await drain();
    expect(subjectOf(smtp.to(emailOf(bob))[0])).toBe(`${ann.username} vous a envoyé un message privé : Commande`);
  });
});

describe('preview and test email', () => {
  it('lists the default texts in each language', async () => {
    const res = await asAdmin(ctx.strapi, admin).get('/settings/email-texts').expect(200);
    expect(Object.keys(res.body.data)).toEqual(['en', 'fr']);
    expect(Object.keys(res.body.data.fr)).toEqual(['newThread', 'reply', 'digest', 'report']);
  });

  it('previews exactly what the test email carries', async () => {
    const text = { kind: 'reply', subject: 'Re: {{subject}} <from {{author}}>', body: 'Hello <team>,\n{{author}} said: {{excerpt}}\n\nOpen: {{url}}' };
    const preview = (await asAdmin(ctx.strapi, admin).post('/settings/email-texts/preview', text).expect(200)).body.data;
    expect(preview.subject).toBe('Re: Order #42 <from Ada>');
    expect(preview.html).toContain('Hello &lt;team&gt;,');
    const sent = (await asAdmin(ctx.strapi, admin).post('/settings/email-texts/test', text).expect(200)).body.data;
    expect(sent.to).toBe(admin.email);
    const [mail] = smtp.to(admin.email);
    expect(subjectOf(mail)).toBe(preview.subject);
    expect(normalized(part(mail, 'text/plain'))).toBe(normalized(preview.text));
    expect(normalized(part(mail, 'text/html'))).toBe(normalized(preview.html));
  });

  it('refuses to preview or send a text with an unknown placeholder', async () => {
    const bad = { kind: 'digest', subject: '{{count}} unread', body: '{{excerpt}}' };
    expectValidationError(await asAdmin(ctx.strapi, admin).post('/settings/email-texts/preview', bad), ['emailTemplates', 'digest', 'body']);
    expectValidationError(await asAdmin(ctx.strapi, admin).post('/settings/email-texts/test', bad), ['emailTemplates', 'digest', 'body']);
    expectValidationError(await asAdmin(ctx.strapi, admin).post('/settings/email-texts/preview', { kind: 'nope' }), ['kind']);
  });

  it('is for admins who hold the settings actions only', async () => {
    await asAdmin(ctx.strapi, null).post('/settings/email-texts/preview', { kind: 'reply' }).expect(401);
    const reader = await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.settingsRead]);
    await asAdmin(ctx.strapi, reader).post('/settings/email-texts/preview', { kind: 'reply' }).expect(200);
    await asAdmin(ctx.strapi, reader).post('/settings/email-texts/test', { kind: 'reply' }).expect(403);
  });
});
