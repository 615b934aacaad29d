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

export const DOCUMENT_ID_PATTERN = /^[a-z][a-z0-9]{23}$/;
