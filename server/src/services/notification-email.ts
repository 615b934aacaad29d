/**
 * Builds the notification emails (plain text and HTML) from the site's texts (config/email-templates.ts).
 * Pure: everything comes in as arguments.
 */

import { NO_SUBJECT, linkValue, renderEmail, templateFor, type EmailKind, type EmailLocale, type EmailTemplate } from '../config/email-templates';

// The settings schema checks a template with this same function (config/urls.ts).
export { threadUrl } from '../config/urls';

/** The site's texts in force (settings.emailTemplates, settings.emailLocale). */
export type EmailTexts = { emailTemplates: Partial<Record<EmailKind, EmailTemplate | null>>; emailLocale: EmailLocale };

/** How many files a message carries, in words: an email never links them (their URLs are private). */
const filesInWords = (count: number, locale: EmailLocale) => {
  if (!count) return '';
  if (locale === 'fr') return `(${count} pièce${count === 1 ? '' : 's'} jointe${count === 1 ? '' : 's'})`;
  return `(${count} attachment${count === 1 ? '' : 's'})`;
};

export const messageEmail = (
  input: { senderName: string; subject: string; excerpt: string; url: string; isNewThread: boolean; attachments?: number },
  texts: EmailTexts
) =>
  renderEmail(templateFor(texts.emailTemplates, texts.emailLocale, input.isNewThread ? 'newThread' : 'reply'), {
    author: input.senderName,
    subject: input.subject || NO_SUBJECT[texts.emailLocale],
    excerpt: [input.excerpt, filesInWords(input.attachments ?? 0, texts.emailLocale)].filter(Boolean).join(' '),
    url: linkValue(input.url),
  });

export const reportEmail = (input: { reporterName: string; reason: string; excerpt: string; adminUrl: string }, texts: EmailTexts) =>
  renderEmail(templateFor(texts.emailTemplates, texts.emailLocale, 'report'), {
    author: input.reporterName,
    reason: input.reason,
    excerpt: input.excerpt,
    url: linkValue(input.adminUrl),
  });

/**
 * The right-hand side of our Message-IDs: the host of `server.url`, else the domain of the email
 * plugin's default sender, else `localhost`.
 */
export const messageIdDomain = (serverUrl: unknown, defaultFrom: unknown) => {
  try {
    if (typeof serverUrl === 'string' && /^https?:\/\//.test(serverUrl)) return new URL(serverUrl).hostname;
  } catch {
    // not a URL: the next source
  }
  const fromDomain = typeof defaultFrom === 'string' ? /@([A-Za-z0-9.-]+)>?\s*$/.exec(defaultFrom)?.[1] : undefined;
  return fromDomain ?? 'localhost';
};

/**
 * An outbox email's Message-ID, the same for every attempt: a copy sent again after a crash (see
 * docs/api.md, Email notifications) carries the id of the first, so a receiving server or client
 * can drop it. Only the email's own random key goes in, never its row id: recipients of one
 * broadcast compare Message-IDs, and ordered ids would tell them how many emails went between.
 */
export const outboxMessageId = (messageKey: string, domain: string) => `<pm-${messageKey}@${domain}>`;
