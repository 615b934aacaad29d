import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A Strapi-5-style documentId (24 lowercase alphanumerics, starting with a letter).
 * Rows on the hot paths are inserted with knex, so we mint the documentId ourselves
 * instead of going through the Document Service.
 */
export const createDocumentId = (): string => {
  const bytes = randomBytes(24);
  let id = ALPHABET[bytes[0] % 26];
  for (let i = 1; i < 24; i += 1) id += ALPHABET[bytes[i] % 36];
  return id;
};

/** `count` random documentIds from one read of the random source (rows inserted by the thousand). */
export const createDocumentIds = (count: number): string[] => {
  const bytes = randomBytes(24 * count);
  const ids: string[] = new Array(count);
  for (let n = 0; n < count; n += 1) {
    const at = n * 24;
    let id = ALPHABET[bytes[at] % 26];
    for (let i = 1; i < 24; i += 1) id += ALPHABET[bytes[at + i] % 36];
    ids[n] = id;
  }
  return ids;
};

export const DOCUMENT_ID_PATTERN = /^[a-z][a-z0-9]{23}$/;

let sequence = 0;

/**
 * `count` documentIds that sort in creation order: the time, a per-process sequence, then random
 * characters. For rows inserted by the thousand whose documentIds are never shown (memberships):
 * an index on random ids gets one more dirty page per row, on ordered ids only its right edge, so a
 * message to a 10,000-user role commits thousands fewer pages (SQLite writes them all at COMMIT).
 */
export const createOrderedDocumentIds = (count: number): string[] => {
  const time = Date.now().toString(36).padStart(9, '0').slice(-9);
  const bytes = randomBytes(10 * count);
  const ids: string[] = new Array(count);
  for (let n = 0; n < count; n += 1) {
    sequence = (sequence + 1) % 36 ** 4;
    let id = `m${time}${sequence.toString(36).padStart(4, '0')}`;
    for (let i = 0; i < 10; i += 1) id += ALPHABET[bytes[n * 10 + i] % 36];
    ids[n] = id;
  }
  return ids;
};
