/**
 * URLs the plugin itself puts in front of readers (links in notification emails, avatars). Only
 * absolute http: and https: URLs go out: anything else (javascript:, data:, vbscript:, a relative
 * path, a protocol-relative //host) could run script or point somewhere the reader cannot judge.
 * Pure, so the admin panel checks its form with the same rule.
 */

/** The link to a thread: `{threadId}` replaced (URL-encoded) wherever it appears. */
export const threadUrl = (template: string, threadId: string) =>
  template.split('{threadId}').join(encodeURIComponent(threadId));

/** A documentId-like stand-in, to check a template as the URL it becomes. */
const SAMPLE_THREAD_ID = 'k2l3m4n5o6p7q8r9s0t1u2v3';

/**
 * Whether `value` is an absolute http(s) URL as written: the scheme right at the start (no
 * leading blanks a browser would skip), no whitespace or control characters anywhere, and a
 * host the WHATWG parser accepts.
 */
export const isHttpUrl = (value: string) => {
  // eslint-disable-next-line no-control-regex
  if (!/^https?:\/\/[^/\\]/i.test(value) || /[\s\x00-\x1f\x7f]/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
};

/** Whether a thread-link template gives an http(s) URL once `{threadId}` is filled in. */
export const isHttpUrlTemplate = (template: string) => isHttpUrl(threadUrl(template, SAMPLE_THREAD_ID));

/**
 * The avatar URL a reader may be sent, or null (then the default avatar is used). A media
 * attribute holds a path such as `/uploads/a.png` (the local upload provider): it is made absolute
 * with `server.url` when that is an http(s) URL, and dropped otherwise, since a relative URL would
 * resolve against whatever front end shows it.
 */
export const publicAvatarUrl = (value: unknown, serverUrl: unknown): string | null => {
  if (typeof value !== 'string' || value === '') return null;
  if (isHttpUrl(value)) return value;
  if (value.startsWith('/') && !value.startsWith('//') && typeof serverUrl === 'string' && isHttpUrl(serverUrl)) {
    const absolute = `${serverUrl.replace(/\/+$/, '')}${value}`;
    return isHttpUrl(absolute) ? absolute : null;
  }
  return null;
};

/** Where the moderation queue lives under the admin panel's URL. */
const MODERATION_PATH = '/plugins/private-messages';

/**
 * The moderation queue's absolute URL, for report emails: the `adminUrl` setting when there is one,
 * else the admin panel's absolute URL as Strapi works it out (from the server's `url`, or from its
 * host and port when `url` is unset, which a moderator outside the server's network cannot reach).
 */
export const moderationQueueUrl = (adminUrl: string | null, adminAbsoluteUrl: string) =>
  `${(adminUrl ?? adminAbsoluteUrl).replace(/\/+$/, '')}${MODERATION_PATH}`;
