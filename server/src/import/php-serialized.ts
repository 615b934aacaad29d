/*
 * Drupal keeps its `variable` values as PHP serialize() output (`i:5;`, `s:3:"abc";`,
 * `a:2:{i:0;s:1:"x";s:1:"k";b:1;}`). This reads the scalars and arrays found there; objects and
 * references (never used by privatemsg's variables) are refused.
 */
export type PhpValue = null | boolean | number | string | PhpValue[] | { [key: string]: PhpValue };

/** Arrays nested deeper than this are refused (privatemsg's variables nest two levels). */
const MAX_DEPTH = 32;

/**
 * Parses one serialized value. String lengths are in bytes (PHP strings are byte strings), so the
 * input is read as UTF-8 bytes, not as JavaScript characters. Every length and count is checked
 * against the bytes left before it is used, as PHP's own unserialize() does: a negative string
 * length would move the reader backwards, so that an array claiming a billion entries read the
 * same bytes again and again until the process ran out of memory.
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

  /** A length or count: digits only, and at most `max` (what the bytes left can hold). */
  const readCount = (end: string, max: number) => {
    const text = readUntil(end);
    if (!/^\d{1,10}$/.test(text)) fail(`bad length "${text.slice(0, 12)}"`);
    const n = Number(text);
    if (n > max) fail(`length ${n} beyond the value's end`);
    return n;
  };

  const value = (depth = 0): PhpValue => {
    if (depth > MAX_DEPTH) fail('nested too deep');
    const type = bytes.toString('latin1', at, at + 1);
    at += 1;
    if (type === 'N') {
      expect(';');
      return null;
    }
    expect(':');
    switch (type) {
      case 'b': {
        const flag = readUntil(';');
        if (flag !== '0' && flag !== '1') fail('bad boolean');
        return flag === '1';
      }
      case 'i':
      case 'd': {
        const text = readUntil(';');
        const pattern = type === 'i' ? /^[+-]?\d+$/ : /^([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|-?INF|NAN)$/;
        if (!pattern.test(text)) fail('bad number');
        return text === 'INF' ? Infinity : text === '-INF' ? -Infinity : Number(text);
      }
      case 's': {
        const length = readCount(':', bytes.length - at);
        expect('"');
        const text = bytes.toString('utf8', at, at + length);
        at += length;
        expect('"');
        expect(';');
        return text;
      }
      case 'a': {
        // The shortest entry, `i:0;N;`, takes 6 bytes.
        const count = readCount(':', Math.floor((bytes.length - at) / 6));
        expect('{');
        const entries: [string | number, PhpValue][] = [];
        for (let i = 0; i < count; i += 1) {
          const key = value(depth + 1);
          if (typeof key !== 'string' && typeof key !== 'number') fail('bad array key');
          entries.push([key as string | number, value(depth + 1)]);
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
