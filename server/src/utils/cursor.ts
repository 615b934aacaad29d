import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Opaque, signed pagination cursors. A cursor is `base64url(JSON(values)).signature`;
 * the signature (HMAC-SHA256, truncated) lets us refuse a cursor a client edited with
 * a 400 instead of trusting whatever it decodes to.
 */
const SIGNATURE_LENGTH = 16;

const sign = (payload: string, secret: string) =>
  createHmac('sha256', secret).update(payload).digest('base64url').slice(0, SIGNATURE_LENGTH);

export type CursorValue = string | number;

export const encodeCursor = (values: CursorValue[], secret: string): string => {
  const payload = Buffer.from(JSON.stringify(values)).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
};

/** Returns the cursor's values, or null when the cursor is malformed or was tampered with. */
export const decodeCursor = (cursor: string, secret: string): CursorValue[] | null => {
  if (typeof cursor !== 'string' || cursor.length > 512) return null;
  const [payload, signature, ...rest] = cursor.split('.');
  if (!payload || !signature || rest.length > 0) return null;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const values = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(values)) return null;
    if (!values.every((v) => typeof v === 'string' || typeof v === 'number')) return null;
    return values;
  } catch {
    return null;
  }
};

/** A cursor of exactly `length` integers (ids, timestamps), or null. */
export const decodeIntegerCursor = (cursor: string, secret: string, length: number): number[] | null => {
  const values = decodeCursor(cursor, secret);
  return values && values.length === length && values.every((v) => Number.isInteger(v)) ? (values as number[]) : null;
};
