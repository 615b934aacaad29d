import { tokensOf } from '../utils/search-text';

export type Snippet = { text: string; highlights: { start: number; end: number }[] };

/** Characters shown before the first match, and at most in all. */
const LEAD = 40;
export const SNIPPET_LENGTH = 160;

/**
 * A plain-text excerpt of `text` around its first token matching a query word (the last word as a
 * prefix, as the index matches), with the places of every match in it. Cuts fall between words
 * where a space is near, and are marked with "…". Without a match in the text (the words were in
 * the subject), the text's beginning, without highlights.
 */
export const snippetOf = (text: string, words: string[]): Snippet => {
  const last = words.length - 1;
  const matches = (token: string) => words.some((w, i) => (i === last ? token.startsWith(w) : token === w));
  const hits = tokensOf(text).filter((t) => matches(t.token));
  let start = hits.length > 0 ? Math.max(0, hits[0].start - LEAD) : 0;
  if (start > 0) {
    const space = text.indexOf(' ', start);
    if (space !== -1 && space < hits[0].start) start = space + 1;
  }
  let end = Math.min(text.length, start + SNIPPET_LENGTH);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start + SNIPPET_LENGTH / 2) end = space;
  }
  const prefix = start > 0 ? '…' : '';
  const shift = prefix.length - start;
  return {
    text: `${prefix}${text.slice(start, end)}${end < text.length ? '…' : ''}`,
    highlights: hits.filter((h) => h.start >= start && h.end <= end).map((h) => ({ start: h.start + shift, end: h.end + shift })),
  };
};
