import { plainTextOf } from './plain-text';

/**
 * What search matches, decided once here for the three databases: a message's text and a query are
 * cut into the same tokens, so that SQLite, PostgreSQL and MySQL/MariaDB find the same messages.
 *
 * A token is a run of letters and digits (Unicode), lowercased and with its accents removed
 * (`Café` → `cafe`, `ÄRGER` → `arger`): case and accents never matter. Chinese, Japanese and Korean
 * characters are written without spaces between words, so each of them is a token of its own: a
 * word inside unpunctuated CJK text is found (its characters, all present), where a whole run would
 * be a single token that nothing but the whole run matches. Punctuation separates tokens, so
 * `e-mail` is `e` and `mail`, and `example.com` is `example` and `com`, on every database.
 * No stemming: `order` does not find `ordered`, except as a prefix (the last word of a query).
 */
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[^\s\p{P}\p{S}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const WORDISH = /[\p{L}\p{N}]/u;

/** A token as the index holds it: lowercase, without accents (combining marks). */
export const foldToken = (token: string) => token.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

export type Token = { token: string; start: number; end: number };

/** The tokens of plain text, with their places in it (for highlights). */
export const tokensOf = (text: string): Token[] => {
  const out: Token[] = [];
  for (const match of text.matchAll(TOKEN)) {
    if (!WORDISH.test(match[0])) continue;
    const token = foldToken(match[0]).replace(/[^\p{L}\p{N}]/gu, '');
    if (token) out.push({ token, start: match.index!, end: match.index! + match[0].length });
  }
  return out;
};

/** The text the index holds for a message: its thread's subject and its body's plain text, as tokens. */
export const indexTextOf = (subject: string, html: string) =>
  [...tokensOf(subject), ...tokensOf(plainTextOf(html))].map((t) => t.token).join(' ');

/** A query: its words, every one required, the last one matched as a prefix. */
export type SearchQuery = { words: string[] };

/** The words of `q`, or null when it holds none (only punctuation). */
export const parseQuery = (q: string): SearchQuery | null => {
  const words = tokensOf(q).map((t) => t.token);
  return words.length === 0 ? null : { words: [...new Set(words.slice(0, -1)), words[words.length - 1]] };
};
