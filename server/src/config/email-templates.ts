/**
 * The texts of the notification emails, which the site owns: a subject and a body per kind, with
 * placeholders in double braces. Pure: the settings schema checks a template with `templateProblem`
 * and the outbox renders one with `renderEmail`, the preview and the "send me a test" button use
 * the same function, so what the preview shows is what is sent.
 *
 * Escaping: a placeholder's value is never read as markup. In the HTML part, the template's own
 * text and every value are HTML-escaped (line breaks become <br>); the subject has its line breaks
 * folded to spaces (a value can never add a header); the plain-text part is the text as written.
 */

export const EMAIL_KINDS = ['newThread', 'reply', 'digest', 'report'] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

export const EMAIL_LOCALES = ['en', 'fr'] as const;
export type EmailLocale = (typeof EMAIL_LOCALES)[number];

export type EmailTemplate = { subject: string; body: string };

/** The placeholders each kind may use (anything else in double braces is refused when saved). */
export const PLACEHOLDERS: Record<EmailKind, readonly string[]> = {
  newThread: ['author', 'subject', 'excerpt', 'url'],
  reply: ['author', 'subject', 'excerpt', 'url'],
  // `threads`: one line per thread (subject, authors, unread count, link); `count`: how many.
  digest: ['count', 'threads', 'period'],
  report: ['author', 'reason', 'excerpt', 'url'],
};

export const DEFAULT_TEMPLATES: Record<EmailLocale, Record<EmailKind, EmailTemplate>> = {
  en: {
    newThread: { subject: '{{author}} sent you a private message: {{subject}}', body: '{{author}} wrote:\n\n{{excerpt}}\n\nRead and reply: {{url}}' },
    reply: { subject: 'New message from {{author}} in “{{subject}}”', body: '{{author}} wrote in “{{subject}}”:\n\n{{excerpt}}\n\nRead and reply: {{url}}' },
    digest: { subject: 'Unread private messages in {{count}} conversations', body: 'Since your last summary ({{period}}):\n\n{{threads}}' },
    report: { subject: 'A private message was reported by {{author}}', body: '{{author}} reported a message:\n\n{{excerpt}}\n\nReason: {{reason}}\n\nModeration queue: {{url}}' },
  },
  fr: {
    newThread: { subject: '{{author}} vous a envoyé un message privé : {{subject}}', body: '{{author}} a écrit :\n\n{{excerpt}}\n\nLire et répondre : {{url}}' },
    reply: { subject: 'Nouveau message de {{author}} dans « {{subject}} »', body: '{{author}} a écrit dans « {{subject}} » :\n\n{{excerpt}}\n\nLire et répondre : {{url}}' },
    digest: { subject: 'Messages privés non lus dans {{count}} conversations', body: 'Depuis votre dernier résumé ({{period}}) :\n\n{{threads}}' },
    report: { subject: 'Un message privé a été signalé par {{author}}', body: '{{author}} a signalé un message :\n\n{{excerpt}}\n\nMotif : {{reason}}\n\nFile de modération : {{url}}' },
  },
};

/** Shown for the `subject` placeholder of a thread without one. */
export const NO_SUBJECT: Record<EmailLocale, string> = { en: 'a conversation', fr: 'une conversation' };

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Why `template` cannot be saved for `kind` (an unknown placeholder, named), or null. */
export const templateProblem = (kind: EmailKind, template: string): string | null => {
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!PLACEHOLDERS[kind].includes(match[1])) {
      return `unknown placeholder {{${match[1]}}} (allowed: ${PLACEHOLDERS[kind].map((p) => `{{${p}}}`).join(', ')})`;
    }
  }
  return null;
};

/** The template in force for `kind`: the site's, else the default of `locale`. */
export const templateFor = (
  templates: Partial<Record<EmailKind, EmailTemplate | null>>,
  locale: EmailLocale,
  kind: EmailKind
): EmailTemplate => templates[kind] ?? DEFAULT_TEMPLATES[locale][kind];

export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** A value with its own HTML (a link, a list): `html` is trusted, built by our code from escaped parts. */
export type RichValue = { text: string; html: string };
export type TemplateValues = Record<string, string | RichValue>;

const fill = (template: string, values: TemplateValues, as: 'text' | 'html') => {
  let out = '';
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const literal = template.slice(last, match.index);
    out += as === 'html' ? escapeHtml(literal) : literal;
    const value = values[match[1]] ?? '';
    out += typeof value === 'string' ? (as === 'html' ? escapeHtml(value) : value) : value[as];
    last = match.index! + match[0].length;
  }
  const rest = template.slice(last);
  return out + (as === 'html' ? escapeHtml(rest) : rest);
};

/** A link, for the `url` placeholder: the address as text, a link in HTML. */
export const linkValue = (url: string): RichValue => ({ text: url, html: `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>` });

/** The email of `template` filled with `values`: subject (one line), plain text and HTML. */
export const renderEmail = (template: EmailTemplate, values: TemplateValues) => {
  const subject = fill(template.subject, values, 'text').replace(/[\r\n\t]+/g, ' ').trim().slice(0, 900);
  const text = fill(template.body, values, 'text');
  const html = fill(template.body, values, 'html')
    .split(/\r?\n\r?\n/)
    .map((p) => `<p>${p.replace(/\r?\n/g, '<br>')}</p>`)
    .join('\n');
  return { subject, text, html };
};

/** Made-up values for the settings page's preview and test email. */
export const SAMPLE_VALUES: Record<EmailKind, TemplateValues> = {
  newThread: { author: 'Ada', subject: 'Order #42', excerpt: 'Hello! Is the parcel on its way?', url: linkValue('https://example.com/messages/abc') },
  reply: { author: 'Ada', subject: 'Order #42', excerpt: 'Thanks, it arrived today.', url: linkValue('https://example.com/messages/abc') },
  digest: {
    count: '2',
    period: '2026-01-01',
    threads: {
      text: '- Order #42 (Ada, Bob): 3 unread, https://example.com/messages/abc\n- Holidays (Cleo): 1 unread, https://example.com/messages/def',
      html: '<ul><li><a href="https://example.com/messages/abc">Order #42</a> (Ada, Bob): 3 unread</li><li><a href="https://example.com/messages/def">Holidays</a> (Cleo): 1 unread</li></ul>',
    },
  },
  report: { author: 'Ada', reason: 'spam', excerpt: 'Buy cheap watches', url: linkValue('https://example.com/admin/plugins/private-messages/moderation') },
};
