/** Builds the notification emails (plain text and HTML). Pure: everything comes in as arguments. */

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

// The settings schema checks a template with this same function (config/urls.ts).
export { threadUrl } from '../config/urls';

export const messageEmail = (input: {
  senderName: string;
  subject: string;
  excerpt: string;
  url: string;
  isNewThread: boolean;
  /** How many files the message carries: said in words, never linked (their URLs are private). */
  attachments?: number;
}) => {
  const files = input.attachments ? `(${input.attachments} attachment${input.attachments === 1 ? '' : 's'})` : '';
  const topic = input.subject ? `“${input.subject}”` : 'a conversation';
  const subject = input.isNewThread
    ? `${input.senderName} sent you a private message${input.subject ? `: ${input.subject}` : ''}`
    : `New message from ${input.senderName} in ${topic}`;
  const text = [
    `${input.senderName} wrote${input.isNewThread ? '' : ` in ${topic}`}:`,
    '',
    input.excerpt,
    ...(files ? [files] : []),
    '',
    `Read and reply: ${input.url}`,
  ].join('\n');
  const html = [
    `<p><strong>${escape(input.senderName)}</strong> wrote${input.isNewThread ? '' : ` in ${escape(topic)}`}:</p>`,
    `<blockquote>${escape(input.excerpt)}</blockquote>`,
    ...(files ? [`<p>${files}</p>`] : []),
    `<p><a href="${escape(input.url)}">Read and reply</a></p>`,
  ].join('\n');
  return { subject, text, html };
};

export const reportEmail = (input: { reporterName: string; reason: string; excerpt: string; adminUrl: string }) => ({
  subject: `A private message was reported by ${input.reporterName}`,
  text: [`${input.reporterName} reported a message:`, '', input.excerpt, '', `Reason: ${input.reason}`, '', `Moderation queue: ${input.adminUrl}`].join('\n'),
  html: [
    `<p><strong>${escape(input.reporterName)}</strong> reported a message:</p>`,
    `<blockquote>${escape(input.excerpt)}</blockquote>`,
    `<p>Reason: ${escape(input.reason)}</p>`,
    `<p><a href="${escape(input.adminUrl)}">Open the moderation queue</a></p>`,
  ].join('\n'),
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
