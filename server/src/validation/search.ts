import { z } from 'zod';
import { documentId, text } from './index';

const isoTime = z.string().datetime({ offset: true }).describe('ISO 8601 time');

/** GET /search: `q` is words (the last one a prefix); the filters combine (AND) with it and the cursor. */
export const searchQuerySchema = z.strictObject({
  q: text().trim().min(2).max(255).describe('words, every one required, the last one as a prefix (2 characters at least)'),
  /** A thread of the caller (documentId): its messages only. */
  thread: documentId.optional(),
  /** A user id: messages of threads this user is (or was) a member of. */
  participant: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  /** Messages written at or after this time. */
  after: isoTime.optional(),
  /** Messages written before this time. */
  before: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(512).optional(),
});
export type SearchQueryInput = z.infer<typeof searchQuerySchema>;
