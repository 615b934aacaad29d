import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A Strapi-5-style documentId (24 lowercase alphanumerics, starting with a letter).
 * Rows on the hot paths are inserted with knex, so we mint the documentId ourselves
 * instead of going through the Document Service.
 */
export const createDocumentId = (): string => createDocumentIds(1)[0];

/**
 * `count` documentIds from one read of the random source: a call to randomBytes costs far more
 * than the bytes it returns, and a message to a 10,000-user role needs 10,000 ids at once.
 */
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
