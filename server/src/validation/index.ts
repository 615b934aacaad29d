import { z } from 'zod';
import { FORMAT_NAMES } from '../config/defaults';
import { validationError } from '../utils/errors';
import { DOCUMENT_ID_PATTERN } from '../utils/ids';

/*
 * Input schemas for every route. Objects are strict: an unknown key is a 400, never ignored.
 * Query strings arrive as strings, hence the coercions.
 */

/** Text without NUL characters, which PostgreSQL cannot store in a text column. */
export const text = () => z.string().regex(/^[^\u0000]*$/, 'must not contain NUL characters');

const positiveId = z.coerce.number().int().positive().max(2_147_483_647);
const limit = z.coerce.number().int().min(1).max(100);
const cursor = z.string().min(1).max(512);
export const documentId = z.string().regex(DOCUMENT_ID_PATTERN, 'is not a valid id');

/** Custom field values, as the contract describes them: the site's declarations say which (config/fields.ts). */
const fieldValues = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .describe('values of the fields declared in the plugin config (fields.thread / fields.message)');

export const recipientSchema = z.strictObject({
  type: z.enum(['user', 'role']),
  id: z.number().int().positive().max(2_147_483_647),
});

export const newThreadSchema = z.strictObject({
  recipients: z.array(recipientSchema).min(1).max(1000),
  subject: text().max(255).optional(),
  // The configured maximum (maxBodyLength) is applied by the formats service, with a 413.
  body: text().min(1),
  format: z.enum(FORMAT_NAMES).optional(),
  skipRefused: z.boolean().optional(),
  /** The thread's custom fields: services/fields.ts validates them against the site's declarations. */
  fields: fieldValues.optional(),
  /** The first message's custom fields, likewise. */
  messageFields: fieldValues.optional(),
  /** Files the author uploaded (POST /attachments) and has not sent yet. */
  attachments: z.array(documentId).max(100).optional(),
});

export const replySchema = z.strictObject({
  body: text().min(1),
  format: z.enum(FORMAT_NAMES).optional(),
  /** The message's custom fields (services/fields.ts). */
  fields: fieldValues.optional(),
  /** Files the author uploaded (POST /attachments) and has not sent yet. */
  attachments: z.array(documentId).max(100).optional(),
});

export const emptyBodySchema = z.strictObject({});

export const inboxQuerySchema = z.strictObject({
  limit: limit.optional(),
  cursor: cursor.optional(),
  /** One of the caller's tags (documentId). */
  tag: documentId.optional(),
  /** A user id: threads this user is (or was) a member of. */
  participant: positiveId.optional(),
  /** Subject contains, case-insensitively; with `in=all`, or the words are in a message the caller sees (the search index). */
  q: text().trim().min(1).max(255).optional(),
  /** Where `q` looks: `subject` (the default) or `all` (subjects and message bodies). */
  in: z.enum(['subject', 'all']).optional(),
  /** Only `true`: threads with unread messages (leave it out for all threads). */
  unread: z.literal('true').transform(() => true).optional(),
  /** inbox (the default), archived, all (both), sent, requests (pending message requests). */
  folder: z.enum(['inbox', 'archived', 'sent', 'all', 'requests']).optional(),
  /** A content-type uid: threads about its documents (validation/contexts.ts). */
  context: z.string().min(1).max(255).optional(),
  /** With `context`: threads about this document only. */
  contextId: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'is not a valid documentId').optional(),
});
export const threadQuerySchema = z.strictObject({ limit: limit.optional() });
export const messagesQuerySchema = z.strictObject({ limit: limit.optional(), before: cursor.optional() });
export const recipientsQuerySchema = z.strictObject({
  q: text().trim().min(1).max(100),
  limit: z.coerce.number().int().min(1).max(50).optional(),
});
export const emptyQuerySchema = z.strictObject({});
/** The `Idempotency-Key` header of a send: 1-255 visible ASCII characters (a UUID is usual). */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters')
  .describe('a key of the client’s choosing (a UUID): a retry with the same key answers the first result and stores nothing');
export const sendHeadersSchema = z.object({ 'Idempotency-Key': idempotencyKeySchema.optional() });
/**
 * A send's query: the same key as `idempotencyKey`, for a page on another origin (Strapi's default
 * CORS configuration allows no Idempotency-Key request header). The header wins when both are sent.
 */
export const sendQuerySchema = z.strictObject({ idempotencyKey: idempotencyKeySchema.optional() });

export const threadParams = z.strictObject({ id: documentId });
export const messageParams = z.strictObject({ id: documentId });
export const attachmentParams = z.strictObject({ id: documentId });
export const userParams = z.strictObject({ userId: positiveId });

/** Parses `input` or throws Strapi's 400 ValidationError listing each offending path. */
export const parse = <S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.infer<S> => {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const items = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path.map(String), key], message: 'is not an allowed key' }))
      : [{ path: issue.path.map(String), message: issue.message }]
  );
  throw validationError(`Invalid ${where}: ${items.map((i) => `${i.path.join('.') || where} ${i.message}`).join('; ')}`, items);
};
