import sanitizeHtml from 'sanitize-html';

/** HTML entities the sanitizer writes, back to their characters. */
export const decodeEntities = (text: string) =>
  text
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/**
 * The plain text of sanitized HTML, whole: tags dropped (block ends and line breaks become spaces, so
 * words of two paragraphs never run together), entities decoded, white space collapsed. What the
 * search index holds and what search snippets are cut from; never HTML.
 */
export const plainTextOf = (html: string) =>
  decodeEntities(
    sanitizeHtml(html.replace(/<br\s*\/?>|<\/(p|li|blockquote|pre|h[1-6]|tr|td|th|div)>/gi, ' '), {
      allowedTags: [],
      allowedAttributes: {},
    })
  )
    .replace(/\s+/g, ' ')
    .trim();
