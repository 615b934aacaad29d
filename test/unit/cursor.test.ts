import { createHmac } from 'node:crypto';
import { decodeCursor, encodeCursor } from '../../server/src/utils/cursor';

const SECRET = 'test-secret';

/** A cursor for an arbitrary payload, signed the way encodeCursor signs. */
const signedCursor = (raw: string, secret = SECRET) => {
  const payload = Buffer.from(raw).toString('base64url');
  const signature = createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 16);
  return `${payload}.${signature}`;
};

describe('encodeCursor / decodeCursor', () => {
  it.each([
    [[1]],
    [[0, -1, 3.5, Number.MAX_SAFE_INTEGER]],
    [['2024-01-01T00:00:00.000Z', 42]],
    [['']],
    [['with.dots', 'and "quotes"', 'é ü 漢字 🙂']],
    [[]],
  ])('round-trips %j', (values) => {
    const cursor = encodeCursor(values, SECRET);
    expect(decodeCursor(cursor, SECRET)).toEqual(values);
  });

  it('is opaque and URL-safe: base64url payload, a dot, a 16-character signature', () => {
    const cursor = encodeCursor(['2024-01-01T00:00:00.000Z', 7, 'a/b+c?d&e'], SECRET);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/);
    expect(cursor).not.toContain('2024');
  });

  it('is deterministic for the same values and secret', () => {
    expect(encodeCursor([1, 'a'], SECRET)).toBe(encodeCursor([1, 'a'], SECRET));
  });

  it('signs with the secret', () => {
    expect(encodeCursor([1], 'one')).not.toBe(encodeCursor([1], 'two'));
    expect(decodeCursor(encodeCursor([1], 'one'), 'two')).toBeNull();
  });

  it('refuses an edited payload', () => {
    const cursor = encodeCursor([10, 'x'], SECRET);
    const [, signature] = cursor.split('.');
    const forged = `${Buffer.from(JSON.stringify([11, 'x'])).toString('base64url')}.${signature}`;
    expect(decodeCursor(forged, SECRET)).toBeNull();
  });

  it('refuses an edited signature', () => {
    const cursor = encodeCursor([10], SECRET);
    const last = cursor.at(-1) === 'A' ? 'B' : 'A';
    expect(decodeCursor(`${cursor.slice(0, -1)}${last}`, SECRET)).toBeNull();
  });

  it('refuses a truncated or extended signature', () => {
    const cursor = encodeCursor([10], SECRET);
    expect(decodeCursor(cursor.slice(0, -1), SECRET)).toBeNull();
    expect(decodeCursor(`${cursor}A`, SECRET)).toBeNull();
  });

  it('refuses a full-length (untruncated) HMAC', () => {
    const payload = Buffer.from('[1]').toString('base64url');
    const full = createHmac('sha256', SECRET).update(payload).digest('base64url');
    expect(decodeCursor(`${payload}.${full}`, SECRET)).toBeNull();
    expect(decodeCursor(`${payload}.${full.slice(0, 16)}`, SECRET)).toEqual([1]);
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abcdef'],
    ['only a dot', '.'],
    ['no payload', '.abcdefghijklmnop'],
    ['no signature', 'WzFd.'],
    ['two dots', 'WzFd.abc.def'],
    ['garbage', '%%%.***'],
    ['multibyte signature', 'WzFd.ééééééééééééééé'],
  ])('refuses a malformed cursor (%s)', (_name, cursor) => {
    expect(decodeCursor(cursor, SECRET)).toBeNull();
  });

  it('refuses an extra segment even when the first two are valid', () => {
    expect(decodeCursor(`${encodeCursor([1], SECRET)}.x`, SECRET)).toBeNull();
  });

  it('refuses a cursor longer than 512 characters, even when validly signed', () => {
    const values = ['x'.repeat(600)];
    const cursor = encodeCursor(values, SECRET);
    expect(cursor.length).toBeGreaterThan(512);
    expect(decodeCursor(cursor, SECRET)).toBeNull();
  });

  it('accepts a signed cursor of up to 512 characters', () => {
    // The longest single string whose cursor still fits.
    let n = 1;
    while (encodeCursor(['x'.repeat(n + 1)], SECRET).length <= 512) n += 1;
    const cursor = encodeCursor(['x'.repeat(n)], SECRET);
    expect(cursor.length).toBeLessThanOrEqual(512);
    expect(decodeCursor(cursor, SECRET)).toEqual(['x'.repeat(n)]);
  });

  it.each([
    ['an object', '{"a":1}'],
    ['a number', '42'],
    ['a string', '"s"'],
    ['null', 'null'],
    ['an array with an object', '[1,{"a":1}]'],
    ['an array with null', '[1,null]'],
    ['an array with a boolean', '[true]'],
    ['a nested array', '[[1]]'],
    ['invalid JSON', '[1,'],
    ['not JSON', 'hello'],
  ])('refuses a correctly signed payload that is %s', (_name, raw) => {
    expect(decodeCursor(signedCursor(raw), SECRET)).toBeNull();
  });

  it('accepts a correctly signed array of strings and numbers', () => {
    expect(decodeCursor(signedCursor('["a",1]'), SECRET)).toEqual(['a', 1]);
  });

  it.each([undefined, null, 42, {}, ['a.b']])('returns null for a non-string cursor (%j)', (cursor) => {
    expect(decodeCursor(cursor as unknown as string, SECRET)).toBeNull();
  });
});
