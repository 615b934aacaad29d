import { z } from 'zod';
import { ALLOW_MESSAGES_FROM, DIGEST_FREQUENCIES, EMAIL_LEVELS, FORMAT_NAMES, PUSH_CONTENTS, PUSH_LEVELS } from '../config/defaults';

/*
 * What the content API answers, as zod schemas: the one description the OpenAPI document
 * (docs/openapi.json) and the typed client (client/src) are made from, and that the client's
 * behaviour test checks real answers against. Objects are strict, so a key the server starts
 * sending without it being declared here fails that test instead of drifting silently.
 */

/** Named schemas: components/schemas in the OpenAPI document (a registry of our own, not zod's global one). */
export const contractSchemas = z.registry<{ id: string; description?: string }>();

const isoTime = z.string().describe('ISO 8601 UTC time');
const documentId = z.string().describe('Strapi documentId');

export const userSummarySchema = z
  .strictObject({
    id: z.number().int(),
    username: z.string().nullable(),
    avatarUrl: z.string().nullable().describe('an absolute http(s) URL, the configured default, or null'),
  })
  .register(contractSchemas, { id: 'UserSummary' });

export const participantSchema = userSummarySchema.extend({ left: z.boolean() }).register(contractSchemas, { id: 'Participant' });
export const roleSummarySchema = z.strictObject({ id: z.number().int(), name: z.string() }).register(contractSchemas, { id: 'RoleSummary' });
export const tagSchema = z.strictObject({ id: documentId, name: z.string() }).register(contractSchemas, { id: 'Tag' });

/** Custom field values: the declared fields that have one (config/fields.ts); {} when none do. */
export const fieldValuesSchema = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .describe('the fields declared in the plugin config that have a value; {} when none do')
  .register(contractSchemas, { id: 'FieldValues' });

export const FOLDER_NAMES = ['inbox', 'archived', 'requests'] as const;

/** The document a thread is about (config/contexts.ts), read when the thread is shown. */
export const threadContextSchema = z
  .strictObject({
    uid: z.string().describe('the content type, as declared under `contexts` in the plugin config'),
    documentId: z.string(),
    title: z.string().nullable().describe('the published document’s title field, read now; null when it is not available'),
    url: z.string().describe('the declared urlTemplate with {documentId} filled in'),
    available: z.boolean().describe('false once the document is unpublished or deleted (the thread stays readable and repliable)'),
  })
  .register(contractSchemas, { id: 'ThreadContext' });

export const lastMessageSchema = z
  .strictObject({
    id: documentId,
    excerpt: z.string().describe('plain text, at most 140 characters; "" when deleted'),
    deleted: z.boolean(),
    author: userSummarySchema.nullable(),
  })
  .register(contractSchemas, { id: 'LastMessage' });

export const threadSchema = z
  .strictObject({
    id: documentId,
    subject: z.string(),
    isGroup: z.boolean(),
    participants: z.array(participantSchema),
    participantCount: z.number().int(),
    roles: z.array(roleSummarySchema),
    messageCount: z.number().int(),
    unreadCount: z.number().int(),
    lastMessageAt: isoTime.nullable(),
    lastMessage: lastMessageSchema.nullable(),
    tags: z.array(tagSchema),
    folder: z.enum(FOLDER_NAMES).describe('where the thread is for the caller'),
    fields: fieldValuesSchema,
    context: threadContextSchema.nullable().describe('the document the thread is about, or null'),
    createdAt: isoTime,
  })
  .register(contractSchemas, { id: 'Thread' });

export const attachmentSchema = z
  .strictObject({
    id: documentId,
    name: z.string().describe('the file name as uploaded, cleaned'),
    mime: z.string().describe('the type decided from the bytes'),
    size: z.number().int().describe('bytes, as stored (images re-encoded without metadata)'),
    width: z.number().int().optional(),
    height: z.number().int().optional(),
    url: z.string().describe('GET it with the caller’s credentials: the bytes, to whoever may see the message'),
    thumbnailUrl: z.string().optional().describe('images only'),
  })
  .register(contractSchemas, { id: 'Attachment' });

export const messageSchema = z
  .strictObject({
    id: documentId,
    threadId: documentId,
    author: userSummarySchema.nullable().describe('null when the author’s account was deleted'),
    body: z.string().nullable().describe('sanitized HTML; null when deleted, unless the caller may view deleted messages'),
    format: z.enum(FORMAT_NAMES),
    deleted: z.boolean(),
    isNew: z.boolean().describe('unread for the caller'),
    fields: fieldValuesSchema,
    attachments: z.array(attachmentSchema).describe('empty when the message is deleted (unless the caller may view deleted messages) or attachments are off'),
    createdAt: isoTime,
  })
  .register(contractSchemas, { id: 'Message' });

export const threadWithMessagesSchema = threadSchema
  .extend({ messages: z.array(messageSchema).describe('the newest page, oldest first') })
  .register(contractSchemas, { id: 'ThreadWithMessages' });

export const recipientRefSchema = z.strictObject({ type: z.enum(['user', 'role']), id: z.number().int() });

/** One refused recipient: `code` is one of REFUSAL_CODES or a guard's own code. */
export const refusalSchema = z
  .strictObject({ recipient: recipientRefSchema, code: z.string(), message: z.string() })
  .register(contractSchemas, { id: 'Refusal' });

export const blockedUserSchema = userSummarySchema.extend({ blockedAt: isoTime }).register(contractSchemas, { id: 'BlockedUser' });
export const preferencesSchema = z
  .strictObject({
    messagingEnabled: z.boolean(),
    emailNotifications: z.enum(EMAIL_LEVELS),
    allowMessagesFrom: z.enum(ALLOW_MESSAGES_FROM).describe('who may start a thread with the caller: everyone, contacts (people they wrote to or accepted), nobody'),
    emailDigest: z.enum(DIGEST_FREQUENCIES).describe('one summary email per day or week instead of the single notification emails'),
    push: z.enum(PUSH_LEVELS).describe('which messages are pushed to the user’s subscribed browsers'),
    pushContent: z.enum(PUSH_CONTENTS).describe('none: a push says only that there is a message; preview: its author and an excerpt'),
  })
  .register(contractSchemas, { id: 'Preferences' });
export const unreadCountSchema = z
  .strictObject({
    threads: z.number().int().describe('threads with unread messages, in the inbox and the archive'),
    messages: z.number().int(),
    requests: z.number().int().describe('pending message requests with unread messages (not in threads and messages)'),
  })
  .register(contractSchemas, { id: 'UnreadCount' });
export const reportSchema = z
  .strictObject({ id: documentId, messageId: documentId, reason: z.string(), status: z.enum(['open', 'resolved']), createdAt: isoTime })
  .register(contractSchemas, { id: 'Report' });
export const recipientCandidateSchema = z
  .discriminatedUnion('type', [
    userSummarySchema.extend({ type: z.literal('user') }),
    roleSummarySchema.extend({ type: z.literal('role') }),
  ])
  .register(contractSchemas, { id: 'RecipientCandidate' });
export const streamTicketSchema = z
  .strictObject({ ticket: z.string(), expiresAt: isoTime })
  .register(contractSchemas, { id: 'StreamTicket' });

const nextCursor = z.string().nullable().describe('null on the last page');

/** One search result: the message, its thread, and a plain-text snippet with the matched words' places. */
export const searchHitSchema = z
  .strictObject({
    message: messageSchema,
    thread: z.strictObject({ id: documentId, subject: z.string() }),
    snippet: z.strictObject({
      text: z.string().describe('plain text around the first match (never HTML); "…" marks a cut'),
      highlights: z.array(z.strictObject({ start: z.number().int(), end: z.number().int() })).describe('matched words in text: UTF-16 offsets, end exclusive'),
    }),
  })
  .register(contractSchemas, { id: 'SearchHit' });

/** `{data, meta?}` envelopes, one per answer. */
export const responses = {
  threadList: z.strictObject({ data: z.array(threadSchema), meta: z.strictObject({ nextCursor }) }),
  searchResults: z.strictObject({ data: z.array(searchHitSchema), meta: z.strictObject({ nextCursor }) }),
  threadCreated: z.strictObject({
    data: z.strictObject({ thread: threadSchema, message: messageSchema }),
    meta: z.strictObject({
      refused: z.array(refusalSchema).describe('recipients skipped (skipRefused, or reached through a role)'),
      created: z.boolean().describe('false when asking about a document again added the message to the caller’s thread about it (200)'),
    }),
  }),
  threadWithMessages: z.strictObject({ data: threadWithMessagesSchema, meta: z.strictObject({ olderCursor: nextCursor }) }),
  messagePage: z.strictObject({ data: z.array(messageSchema), meta: z.strictObject({ olderCursor: nextCursor }) }),
  message: z.strictObject({ data: messageSchema }),
  attachmentList: z.strictObject({ data: z.array(attachmentSchema) }),
  thread: z.strictObject({ data: threadSchema }),
  threadUnread: z.strictObject({ data: z.strictObject({ unreadCount: z.number().int() }) }),
  bulkResult: z.strictObject({ data: z.strictObject({ updated: z.number().int() }) }),
  tagList: z.strictObject({ data: z.array(tagSchema) }),
  tag: z.strictObject({ data: tagSchema }),
  report: z.strictObject({ data: reportSchema }),
  unreadCount: z.strictObject({ data: unreadCountSchema }),
  recipients: z.strictObject({ data: z.array(recipientCandidateSchema) }),
  canMessage: z.strictObject({
    data: z.strictObject({
      allowed: z.boolean(),
      asRequest: z.boolean().describe('a new thread would land in the user’s message requests'),
      reasons: z.array(z.strictObject({ code: z.string(), message: z.string() })),
    }),
  }),
  roles: z.strictObject({ data: z.array(roleSummarySchema) }),
  blockList: z.strictObject({ data: z.array(blockedUserSchema) }),
  blockedUser: z.strictObject({ data: blockedUserSchema }),
  preferences: z.strictObject({ data: preferencesSchema }),
  streamTicket: z.strictObject({ data: streamTicketSchema }),
  pushKey: z.strictObject({ data: z.strictObject({ publicKey: z.string().describe('the VAPID public key, base64url: PushManager.subscribe’s applicationServerKey') }) }),
  pushSubscription: z.strictObject({ data: z.strictObject({ endpoint: z.string() }) }),
} as const;

export type ResponseName = keyof typeof responses;
