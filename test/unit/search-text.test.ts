/**
 * What search matches (utils/search-text) and the snippets it answers (services/search-snippet):
 * the same tokens for the index and the query, on every database.
 */
import { indexTextOf, parseQuery, tokensOf } from '../../server/src/utils/search-text';
import { snippetOf, SNIPPET_LENGTH } from '../../server/src/services/search-snippet';

describe('search tokens', () => {
  it('are runs of letters and digits, lowercase, without accents; CJK characters one by one', () => {
    expect(tokensOf('Café ÄRGER, e-mail jo@example.com 12.5 snake_case').map((t) => t.token)).toEqual([
      'cafe', 'arger', 'e', 'mail', 'jo', 'example', 'com', '12', '5', 'snake', 'case',
    ]);
    expect(tokensOf('东京都に行く').map((t) => t.token)).toEqual(['东', '京', '都', 'に', '行', 'く']);
    expect(tokensOf('Straße').map((t) => t.token)).toEqual(['straße']);
  });

  it('keep their places in the text (for highlights)', () => {
    const text = 'Hello, Wörld';
    expect(tokensOf(text).map((t) => text.slice(t.start, t.end))).toEqual(['Hello', 'Wörld']);
  });

  it('index the subject and the body’s plain text, never HTML', () => {
    expect(indexTextOf('Re: Order', '<p>Hello&nbsp;<b>wörld</b></p><p>next<br>line</p><script>x()</script>')).toBe('re order hello world next line');
  });

  it('parse a query into words, the last one kept last (the prefix), repeats dropped', () => {
    expect(parseQuery('  Hello WORLD hello wor')).toEqual({ words: ['hello', 'world', 'wor'] });
    expect(parseQuery('"a" OR -b*')).toEqual({ words: ['a', 'or', 'b'] });
    expect(parseQuery('!! …')).toBeNull();
  });
});

describe('search snippets', () => {
  it('mark every match of a word, and prefixes of the last word', () => {
    const s = snippetOf('The café is near the Café Zürich', ['cafe', 'zu']);
    expect(s.text).toBe('The café is near the Café Zürich');
    expect(s.highlights.map((h) => s.text.slice(h.start, h.end))).toEqual(['café', 'Café', 'Zürich']);
  });

  it('cut long texts around the first match, between words, marked with …', () => {
    const text = `${'lorem ipsum '.repeat(40)}needle ${'dolor sit '.repeat(40)}`.trim();
    const s = snippetOf(text, ['needle']);
    expect(s.text.startsWith('…')).toBe(true);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.text.length).toBeLessThanOrEqual(SNIPPET_LENGTH + 2);
    expect(s.text).not.toMatch(/^…\S*sum /); // starts on a word
    expect(s.highlights.map((h) => s.text.slice(h.start, h.end))).toEqual(['needle']);
  });

  it('show the beginning without highlights when the words were in the subject only', () => {
    expect(snippetOf('Nothing here', ['subject'])).toEqual({ text: 'Nothing here', highlights: [] });
  });
});
