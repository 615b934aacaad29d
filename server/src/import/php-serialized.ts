/*
 * Drupal keeps its `variable` values as PHP serialize() output (`i:5;`, `s:3:"abc";`,
 * `a:2:{i:0;s:1:"x";s:1:"k";b:1;}`). This reads the scalars and arrays found there; objects and
 * references (never used by privatemsg's variables) are refused.
 */
export type PhpValue = null | boolean | number | string | PhpValue[] | { [key: string]: PhpValue };

/**
 * Parses one serialized value. String lengths are in bytes (PHP strings are byte strings), so the
 * input is read as UTF-8 bytes, not as JavaScript characters.
 */
export const unserializePhp = (input: string | Buffer): PhpValue => {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input, 'utf8');
  let at = 0;

  const fail = (why: string): never => {
    throw new Error(`Not a PHP serialized value (${why} at byte ${at})`);
  };
  const readUntil = (end: string) => {
    const stop = bytes.indexOf(end, at, 'latin1');
    if (stop < 0) fail(`missing "${end}"`);
    const text = bytes.toString('latin1', at, stop);
    at = stop + 1;
    return text;
  };
  const expect = (char: string) => {
    if (bytes.toString('latin1', at, at + 1) !== char) fail(`expected "${char}"`);
    at += 1;
  };

  const value = (): PhpValue => {
    const type = bytes.toString('latin1', at, at + 1);
    at += 1;
    if (type === 'N') {
      expect(';');
      return null;
    }
    expect(':');
    switch (type) {
      case 'b':
        return readUntil(';') === '1';
      case 'i':
      case 'd': {
        const n = Number(readUntil(';'));
        if (Number.isNaN(n)) fail('bad number');
        return n;
      }
      case 's': {
        const length = Number(readUntil(':'));
        expect('"');
        const text = bytes.toString('utf8', at, at + length);
        at += length;
        expect('"');
        expect(';');
        return text;
      }
      case 'a': {
        const count = Number(readUntil(':'));
        expect('{');
        const entries: [string | number, PhpValue][] = [];
        for (let i = 0; i < count; i += 1) {
          const key = value();
          if (typeof key !== 'string' && typeof key !== 'number') fail('bad array key');
          entries.push([key as string | number, value()]);
        }
        expect('}');
        // A list (keys 0..n-1 in order) becomes an array, anything else an object.
        if (entries.every(([k], i) => k === i)) return entries.map(([, v]) => v);
        return Object.fromEntries(entries.map(([k, v]) => [String(k), v]));
      }
      default:
        return fail(`unsupported type "${type}"`);
    }
  };

  const result = value();
  if (at !== bytes.length) fail('trailing bytes');
  return result;
};

/** A variable's value, or `fallback` when it is missing or not readable. */
export const readPhpValue = (raw: string | Buffer | null | undefined, fallback: PhpValue = null): PhpValue => {
  if (raw === null || raw === undefined) return fallback;
  try {
    return unserializePhp(raw);
  } catch {
    return fallback;
  }
};
