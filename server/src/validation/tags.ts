import { z } from 'zod';
import { documentId } from './index';

/*
 * Input of the tag routes and of the bulk thread actions. Strict like every schema of the plugin:
 * an unknown key is a 400.
 */

export const MAX_TAG_NAME_LENGTH = 64;
export const MAX_BULK_THREADS = 100;
export const MAX_TAGS_PER_REQUEST = 100;

/** A tag name: trimmed, 1–64 characters, no control characters (line breaks, tabs, NUL...). */
export const tagName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_TAG_NAME_LENGTH, `must be at most ${MAX_TAG_NAME_LENGTH} characters`)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const tagBodySchema = z.strictObject({ name: tagName });
export const tagParams = z.strictObject({ id: documentId });

/** PUT /threads/:id/tags: the complete set of the caller's tags on the thread (empty clears them). */
export const threadTagsSchema = z.strictObject({
  tags: z.array(documentId).max(MAX_TAGS_PER_REQUEST),
});

const threadIds = z.array(documentId).min(1).max(MAX_BULK_THREADS);
const tagIds = z.array(documentId).min(1).max(MAX_TAGS_PER_REQUEST);

/** POST /threads/actions: `tagIds` is required by the tag actions and refused by the others. */
export const threadActionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('markRead'), threadIds }),
  z.strictObject({ action: z.literal('markUnread'), threadIds }),
  z.strictObject({ action: z.literal('delete'), threadIds }),
  z.strictObject({ action: z.literal('archive'), threadIds }),
  z.strictObject({ action: z.literal('unarchive'), threadIds }),
  z.strictObject({ action: z.literal('addTags'), threadIds, tagIds }),
  z.strictObject({ action: z.literal('removeTags'), threadIds, tagIds }),
]);

export type ThreadAction = z.infer<typeof threadActionSchema>;
