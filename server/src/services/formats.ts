import sanitizeHtml from 'sanitize-html';
import type { FormatName, FormatRule, PluginConfig } from '../config/defaults';
import { payloadTooLarge, validationError } from '../utils/errors';

/*
 * Whatever a site builder puts in a format's allow-list, these never reach a reader: they run
 * script, embed other documents, submit data or restyle the page.
 */
const NEVER_ALLOWED_TAGS = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'input', 'button',
  'textarea', 'select', 'option', 'svg', 'math', 'link', 'meta', 'base', 'template', 'noscript', 'xmp',
  'plaintext', 'portal', 'marquee', 'html', 'head', 'body', 'title',
]);
// sanitize-html reads `*` in an attribute name as a glob (`['*']` would allow every attribute,
// onclick included), so only plain attribute names are passed on.
const isForbiddenAttribute = (name: string) =>
  !/^[a-z][a-z0-9-]*$/i.test(name) ||
  /^on/i.test(name) ||
  ['style', 'srcset', 'formaction', 'action', 'srcdoc', 'xmlns', 'background'].includes(name.toLowerCase());

const EXCERPT_LENGTH = 140;

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const decodeEntities = (text: string) =>
  text
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

const sanitizerOptions = (rule: FormatRule): sanitizeHtml.IOptions => {
  const allowedTags = rule.allowedTags.filter((t) => !NEVER_ALLOWED_TAGS.has(t));
  const allowedAttributes: Record<string, string[]> = {};
  for (const [tag, attributes] of Object.entries(rule.allowedAttributes)) {
    allowedAttributes[tag] = attributes.filter((a) => !isForbiddenAttribute(a));
  }
  if (allowedTags.includes('a')) allowedAttributes.a = [...new Set([...(allowedAttributes.a ?? []), 'rel'])];
  return {
    allowedTags,
    allowedAttributes,
    // Only these URL schemes survive; javascript:, vbscript: and data: never do.
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    // Text inside these is dropped too, not shown as text.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'template', 'svg', 'math', 'iframe', 'object'],
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener' } }),
    },
  };
};

export const renderPlainText = (text: string) => escapeHtml(text.replace(/\r\n?/g, '\n')).replace(/\n/g, '<br>');

/** Plain-text excerpt of sanitized HTML, at most 140 characters. */
export const excerptOf = (html: string) => {
  const text = decodeEntities(
    sanitizeHtml(html.replace(/<br\s*\/?>|<\/(p|li|blockquote|pre|h[1-6]|tr|td|th|div)>/gi, ' '), {
      allowedTags: [],
      allowedAttributes: {},
    })
  )
    .replace(/\s+/g, ' ')
    .trim();
  return text.length <= EXCERPT_LENGTH ? text : `${text.slice(0, EXCERPT_LENGTH - 1).trimEnd()}…`;
};

const hasVisibleContent = (html: string) => /<img\s[^>]*src=/i.test(html) || excerptOf(html).length > 0;

/** Sanitizes `body` for `format`; the result is what is stored and served. */
export const renderBody = (body: string, format: FormatName, rule: FormatRule) =>
  format === 'plain_text' ? renderPlainText(body) : sanitizeHtml(body, sanitizerOptions(rule));

const formatsService = () => ({
  /**
   * Applies the body rules of the settings: the format must be enabled, the body at most
   * `maxBodyLength` characters and not empty once sanitized.
   */
  render(settings: PluginConfig, body: string, format: FormatName | undefined) {
    const chosen = format ?? settings.defaultFormat;
    if (!settings.enabledFormats.includes(chosen)) {
      throw validationError(`Format "${chosen}" is not enabled`, [
        { path: ['format'], message: `must be one of ${settings.enabledFormats.join(', ')}` },
      ]);
    }
    if (body.length > settings.maxBodyLength) {
      throw payloadTooLarge(`The message body is longer than ${settings.maxBodyLength} characters`);
    }
    const html = renderBody(body, chosen, settings.formats[chosen]).trim();
    if (!hasVisibleContent(html)) {
      throw validationError('The message body is empty', [{ path: ['body'], message: 'is empty once sanitized' }]);
    }
    return { html, format: chosen, excerpt: excerptOf(html) };
  },
});

export default formatsService;
