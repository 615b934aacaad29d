/*
 * Bodies in Drupal's PHP code format (D7 `php_code`, D6 format 2) hold PHP that Drupal ran on its
 * server each time the message was shown. Its output cannot be reproduced here, and the HTML
 * sanitizer, reading `<?php print $user->name . "!"; ?>` as a tag that ends at the first `>`, left
 * fragments such as `name . "!"; ?>` in the text. The code is dropped whole, the text around it
 * kept (pure).
 */

const OPEN = /<\?(php\b|=)?/gi;

/** Where the PHP block starting at `from` (just after its opening tag) ends: after its `?>`, or the end of the body. */
const endOfCode = (body: string, from: number) => {
  let at = from;
  while (at < body.length) {
    const c = body[at];
    if (c === '?' && body[at + 1] === '>') return at + 2;
    if (c === "'" || c === '"' || c === '`') {
      // A closing tag inside a string literal does not end PHP mode.
      at += 1;
      while (at < body.length && body[at] !== c) at += body[at] === '\\' ? 2 : 1;
      at += 1;
      continue;
    }
    if (c === '/' && body[at + 1] === '*') {
      const close = body.indexOf('*/', at + 2);
      at = close < 0 ? body.length : close + 2;
      continue;
    }
    if (c === '#' || (c === '/' && body[at + 1] === '/')) {
      // A line comment ends at the line's end or at `?>`, whichever comes first.
      while (at < body.length && body[at] !== '\n' && !(body[at] === '?' && body[at + 1] === '>')) at += 1;
      continue;
    }
    at += 1;
  }
  return body.length;
};

/** The body without its PHP blocks, and how many there were. */
export const removePhpCode = (body: string): { text: string; blocks: number } => {
  let text = '';
  let blocks = 0;
  let at = 0;
  OPEN.lastIndex = 0;
  for (let match = OPEN.exec(body); match; match = OPEN.exec(body)) {
    text += body.slice(at, match.index);
    at = endOfCode(body, match.index + match[0].length);
    blocks += 1;
    OPEN.lastIndex = at;
  }
  return { text: text + body.slice(at), blocks };
};

/** Whether a Drupal format is the PHP code one (D7 by name; D6 numbers it 2, and 0 is the site default). */
export const isPhpFormat = (format: string | number | null, defaultFormat: string | number | null): boolean => {
  let value = format;
  if (value === null || value === '' || value === 0 || value === '0') value = defaultFormat;
  return value === 'php_code' || value === 2 || value === '2';
};
