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
}) => {
  const topic = input.subject ? `“${input.subject}”` : 'a conversation';
  const subject = input.isNewThread
    ? `${input.senderName} sent you a private message${input.subject ? `: ${input.subject}` : ''}`
    : `New message from ${input.senderName} in ${topic}`;
  const text = [
    `${input.senderName} wrote${input.isNewThread ? '' : ` in ${topic}`}:`,
    '',
    input.excerpt,
    '',
    `Read and reply: ${input.url}`,
  ].join('\n');
  const html = [
    `<p><strong>${escape(input.senderName)}</strong> wrote${input.isNewThread ? '' : ` in ${escape(topic)}`}:</p>`,
    `<blockquote>${escape(input.excerpt)}</blockquote>`,
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
