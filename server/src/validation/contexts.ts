import { z } from 'zod';
import { newThreadSchema } from './index';

/* Inputs of threads about a document (config/contexts.ts): the reference and the by-context query. */

/** A content type's uid as config/plugins declares it (`api::listing.listing`). */
export const contextUid = z.string().min(1).max(255);
/** A Strapi documentId (any content type's: Strapi's own or one the site set). */
export const contextDocumentId = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'is not a valid documentId');

export const contextRefSchema = z
  .strictObject({ uid: contextUid, documentId: contextDocumentId })
  .describe('a published document of a content type declared under `contexts` in the plugin config');

/**
 * POST /threads: either `recipients` or `context` (the document's owner is the recipient); the
 * controller says which one is missing or extra. Custom fields are added from the declarations.
 */
export const newThreadOrAskSchema = newThreadSchema.extend({
  recipients: newThreadSchema.shape.recipients.optional().describe('required unless `context` is given'),
  context: contextRefSchema.optional().describe('ask the owner of this document instead of naming recipients'),
});

export const byContextQuerySchema = z.strictObject({ uid: contextUid, documentId: contextDocumentId });
