import sanitizeHtml from 'sanitize-html';
import type { FormatName, FormatRule, PluginConfig } from '../config/defaults';
import { payloadTooLarge, validationError } from '../utils/errors';
import { plainTextOf } from '../utils/plain-text';

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

/*
 * Attributes that a browser (or a mail client, or an old browser) reads as a URL. sanitize-html
 * checks schemes only in href, src and cite; a site builder who allows `video` with `poster`
 * would otherwise let `poster="javascript:..."` through. Every one of these is checked against
 * the allowed schemes, whatever the format's allow-list says.
 */
export const URL_ATTRIBUTES = [
  'href', 'src', 'srcset', 'imagesrcset', 'cite', 'poster', 'data', 'action', 'formaction', 'background',
  'longdesc', 'usemap', 'xlink:href', 'codebase', 'manifest', 'icon', 'profile', 'ping', 'lowsrc', 'dynsrc',
  'classid', 'archive', 'datasrc', 'attributionsrc',
];
/** Those that hold several URLs (separated by spaces, or by commas with descriptors in srcset). */
const MULTI_URL_ATTRIBUTES = new Set(['srcset', 'imagesrcset', 'ping', 'archive', 'attributionsrc']);

const ALLOWED_SCHEMES = ['http', 'https', 'mailto'];
/** Tags that load what they point at: no mailto there. */
const LOADING_TAGS = ['img', 'video', 'audio', 'source', 'track', 'picture', 'input'];
const allowedSchemesOf = (tag: string) => (LOADING_TAGS.includes(tag) ? ['http', 'https'] : ALLOWED_SCHEMES);

/**
 * Whether one URL has a scheme other than the allowed ones. As browsers do: blanks and control
 * characters anywhere are ignored (`java\tscript:`), and so are HTML comments; a URL without a
 * scheme is relative (allowed), except protocol-relative `//host`, which is not checked here
 * for a scheme at all and so is refused.
 */
const hasForbiddenScheme = (tag: string, url: string) => {
  // eslint-disable-next-line no-control-regex
  const squeezed = url.replace(/<!--[\s\S]*?-->/g, '').replace(/[\x00-\x20\x7f]+/g, '');
  if (/^[/\\]{2}/.test(squeezed)) return true;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(squeezed)?.[1];
  return scheme !== undefined && !allowedSchemesOf(tag).includes(scheme.toLowerCase());
};

/** Whether an attribute value holds a URL (or, for the multi-URL ones, any URL) that may not go out. */
const isUnsafeUrlValue = (tag: string, attribute: string, value: string) => {
  if (!MULTI_URL_ATTRIBUTES.has(attribute)) return hasForbiddenScheme(tag, value);
  // Every piece: a URL with a blank or comma in it is split too, which can only refuse more.
  return value.split(/[\s,]+/).some((piece) => piece !== '' && hasForbiddenScheme(tag, piece));
};

/** Drops every URL attribute whose value is not allowed, before the allow-lists are applied. */
const dropUnsafeUrls = (tagName: string, attribs: sanitizeHtml.Attributes) => {
  const kept: sanitizeHtml.Attributes = {};
  for (const [name, value] of Object.entries(attribs)) {
    if (URL_ATTRIBUTES.includes(name.toLowerCase()) && isUnsafeUrlValue(tagName.toLowerCase(), name.toLowerCase(), value)) continue;
    kept[name] = value;
  }
  return { tagName, attribs: kept };
};

const EXCERPT_LENGTH = 140;

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Built once per rule object (the settings hand the same object to every message of a request or an import). */
const optionsByRule = new WeakMap<FormatRule, sanitizeHtml.IOptions>();
const sanitizerOptions = (rule: FormatRule): sanitizeHtml.IOptions => {
  let options = optionsByRule.get(rule);
  if (!options) optionsByRule.set(rule, (options = buildSanitizerOptions(rule)));
  return options;
};

const buildSanitizerOptions = (rule: FormatRule): sanitizeHtml.IOptions => {
  const allowedTags = rule.allowedTags.filter((t) => !NEVER_ALLOWED_TAGS.has(t));
  const allowedAttributes: Record<string, string[]> = {};
  for (const [tag, attributes] of Object.entries(rule.allowedAttributes)) {
    allowedAttributes[tag] = attributes.filter((a) => !isForbiddenAttribute(a));
  }
  if (allowedTags.includes('a')) allowedAttributes.a = [...new Set([...(allowedAttributes.a ?? []), 'rel'])];
  return {
    allowedTags,
    allowedAttributes,
    // Only these URL schemes survive; javascript:, vbscript: and data: never do. sanitize-html
    // applies them to every URL attribute too (dropUnsafeUrls already did, for every tag).
    allowedSchemes: ALLOWED_SCHEMES,
    allowedSchemesByTag: Object.fromEntries(LOADING_TAGS.map((t) => [t, allowedSchemesOf(t)])),
    allowedSchemesAppliedToAttributes: URL_ATTRIBUTES,
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    // Text inside these is dropped too, not shown as text.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'template', 'svg', 'math', 'iframe', 'object'],
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener' } }),
      // Runs for every tag (after the one for its name).
      '*': dropUnsafeUrls,
    },
  };
};

export const renderPlainText = (text: string) => escapeHtml(text.replace(/\r\n?/g, '\n')).replace(/\n/g, '<br>');

/** Plain-text excerpt of sanitized HTML, at most 140 characters. */
export const excerptOf = (html: string) => {
  const text = plainTextOf(html);
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
