import {
  emptyBodySchema,
  attachmentParams,
  emptyQuerySchema,
  inboxQuerySchema,
  messageParams,
  messagesQuerySchema,
  recipientsQuerySchema,
  replySchema,
  sendHeadersSchema,
  sendQuerySchema,
  threadParams,
  threadQuerySchema,
  userParams,
} from '../validation';
import { tagBodySchema, tagParams, threadActionSchema, threadTagsSchema } from '../validation/tags';
import { blockBodySchema, blockParams, declineBodySchema, preferencesBodySchema, pushSubscriptionBodySchema, pushUnsubscribeBodySchema, reportBodySchema } from '../validation/trust';
import { REFUSAL_CODES } from './errors';
import { byContextQuerySchema, newThreadOrAskSchema } from '../validation/contexts';
import { responses } from './responses';
import { searchQuerySchema } from '../validation/search';
import { streamContract } from './stream';
import type { RouteContract } from './route-contract';

/*
 * Every content-API route, once: its method and path, its handler (which is its users-permissions
 * action), the schemas of what it takes (the very ones its controller validates with) and of what it
 * answers, and how it refuses. routes/content-api.ts mounts this table (with the stream's routes,
 * contract/stream.ts), and the OpenAPI document and the typed client are made from it.
 */

export type { RouteContract } from './route-contract';

export const CONTENT_API_PREFIX = '/api/private-messages';

export const contentApiContract = [
  { operation: 'threads.list', method: 'GET', path: '/threads', action: 'threads.find', summary: 'The caller’s threads in a folder (inbox by default), newest activity first', query: inboxQuerySchema, status: 200, response: 'threadList', errors: [404] },
  { operation: 'threads.create', method: 'POST', path: '/threads', action: 'threads.create', summary: 'Start a thread, or ask the owner of a document (`context`: 200 with meta.created false when the caller’s thread about it took the message)', query: sendQuerySchema, body: newThreadOrAskSchema, headers: sendHeadersSchema, status: 201, response: 'threadCreated', errors: [403, 404, 413, 422, 429], codes: [...REFUSAL_CODES, 'max_recipients', 'rate_limited', 'new_account_limit', 'stranger_limit', 'unknown_author', 'idempotency_key_reused', 'own_document', 'no_owner'] },
  { operation: 'threads.bulk', method: 'POST', path: '/threads/actions', action: 'thread-actions.apply', summary: 'Bulk action on up to 100 threads, all or nothing', query: emptyQuerySchema, body: threadActionSchema, status: 200, response: 'bulkResult', errors: [404] },
  { operation: 'threads.byContext', method: 'GET', path: '/threads/by-context', action: 'threads.byContext', summary: 'The caller’s own thread about a document (the one asking again adds to)', query: byContextQuerySchema, status: 200, response: 'thread', errors: [404] },
  { operation: 'threads.get', method: 'GET', path: '/threads/:id', action: 'threads.findOne', summary: 'A thread and its newest page of messages (never changes read state)', params: threadParams, query: threadQuerySchema, status: 200, response: 'threadWithMessages', errors: [404] },
  { operation: 'threads.messages', method: 'GET', path: '/threads/:id/messages', action: 'threads.messages', summary: 'Older messages of a thread', params: threadParams, query: messagesQuerySchema, status: 200, response: 'messagePage', errors: [404] },
  { operation: 'threads.reply', method: 'POST', path: '/threads/:id/messages', action: 'threads.reply', summary: 'Reply to a thread', params: threadParams, query: sendQuerySchema, body: replySchema, headers: sendHeadersSchema, status: 201, response: 'message', errors: [403, 404, 413, 422, 429], codes: [...REFUSAL_CODES, 'rate_limited', 'request_pending', 'idempotency_key_reused'] },
  { operation: 'threads.markRead', method: 'POST', path: '/threads/:id/read', action: 'threads.read', summary: 'Mark the whole thread read', params: threadParams, query: emptyQuerySchema, body: emptyBodySchema, status: 200, response: 'threadUnread', errors: [404] },
  { operation: 'threads.markUnread', method: 'POST', path: '/threads/:id/unread', action: 'threads.unread', summary: 'Mark the newest message from someone else unread', params: threadParams, query: emptyQuerySchema, body: emptyBodySchema, status: 200, response: 'threadUnread', errors: [404] },
  { operation: 'threads.leave', method: 'POST', path: '/threads/:id/leave', action: 'threads.leave', summary: 'Leave a group thread (400 on a 1:1 thread)', params: threadParams, query: emptyQuerySchema, body: emptyBodySchema, status: 204, errors: [404] },
  { operation: 'threads.archive', method: 'POST', path: '/threads/:id/archive', action: 'threads.archive', summary: 'Move the thread to the caller’s archive (a message from someone else brings it back)', params: threadParams, query: emptyQuerySchema, body: emptyBodySchema, status: 200, response: 'thread', errors: [404] },
  { operation: 'threads.unarchive', method: 'POST', path: '/threads/:id/unarchive', action: 'threads.unarchive', summary: 'Move the thread from the archive back to the inbox', params: threadParams, query: emptyQuerySchema, body: emptyBodySchema, status: 200, response: 'thread', errors: [404] },
  { operation: 'threads.accept', method: 'POST', path: '/threads/:id/accept', action: 'message-requests.accept', summary: 'Accept a message request: into the inbox, and its author becomes a contact', params: threadParams, query: emptyQuerySchema, body: emptyBodySchema, status: 200, response: 'thread', errors: [404] },
  { operation: 'threads.decline', method: 'POST', path: '/threads/:id/decline', action: 'message-requests.decline', summary: 'Decline a message request (`block` blocks its author too); the author is not told', params: threadParams, query: emptyQuerySchema, body: declineBodySchema, status: 204, errors: [403, 404, 409], codes: ['not_a_request', 'unblockable'] },
  { operation: 'threads.remove', method: 'DELETE', path: '/threads/:id', action: 'threads.remove', summary: 'Remove the thread from the caller’s inbox (a later message brings it back)', params: threadParams, query: emptyQuerySchema, status: 204, errors: [404] },
  { operation: 'threads.setTags', method: 'PUT', path: '/threads/:id/tags', action: 'tags.setOnThread', summary: 'Set the caller’s tags on a thread', params: threadParams, query: emptyQuerySchema, body: threadTagsSchema, status: 200, response: 'thread', errors: [404] },
  { operation: 'tags.list', method: 'GET', path: '/tags', action: 'tags.find', summary: 'The caller’s tags, alphabetically', query: emptyQuerySchema, status: 200, response: 'tagList', errors: [] },
  { operation: 'tags.create', method: 'POST', path: '/tags', action: 'tags.create', summary: 'Create a tag (names unique per user, ignoring case)', query: emptyQuerySchema, body: tagBodySchema, status: 201, response: 'tag', errors: [409] },
  { operation: 'tags.rename', method: 'PUT', path: '/tags/:id', action: 'tags.update', summary: 'Rename a tag', params: tagParams, query: emptyQuerySchema, body: tagBodySchema, status: 200, response: 'tag', errors: [404, 409] },
  { operation: 'tags.remove', method: 'DELETE', path: '/tags/:id', action: 'tags.delete', summary: 'Delete a tag (it leaves every thread)', params: tagParams, query: emptyQuerySchema, status: 204, errors: [404] },
  { operation: 'messages.remove', method: 'DELETE', path: '/messages/:id', action: 'messages.remove', summary: 'Soft-delete one of the caller’s own messages', params: messageParams, query: emptyQuerySchema, status: 204, errors: [403, 404] },
  { operation: 'messages.deletedBody', method: 'GET', path: '/messages/:id/deleted-body', action: 'deleted-message.view', summary: 'A message with its body even when deleted (the "view deleted messages" permission)', params: messageParams, query: emptyQuerySchema, status: 200, response: 'message', errors: [403, 404] },
  { operation: 'messages.report', method: 'POST', path: '/messages/:id/report', action: 'reports.create', summary: 'Report a message to the moderators', params: messageParams, query: emptyQuerySchema, body: reportBodySchema, status: 201, response: 'report', errors: [404, 409] },
  { operation: 'search', method: 'GET', path: '/search', action: 'search.find', summary: 'The caller’s messages holding every word of q (the last one as a prefix), newest first; only what the caller sees', query: searchQuerySchema, status: 200, response: 'searchResults', errors: [404] },
  { operation: 'unreadCount', method: 'GET', path: '/unread-count', action: 'unread-count.count', summary: 'Threads with unread messages and unread messages: cheap enough to poll', query: emptyQuerySchema, status: 200, response: 'unreadCount', errors: [] },
  { operation: 'recipients.search', method: 'GET', path: '/recipients', action: 'recipients.search', summary: 'Users (and roles) the caller may write to, for autocomplete', query: recipientsQuerySchema, status: 200, response: 'recipients', errors: [] },
  { operation: 'recipients.canMessage', method: 'GET', path: '/can-message/:userId', action: 'recipients.canMessage', summary: 'Whether a new thread to this user would go through, and every reason why not', params: userParams, query: emptyQuerySchema, status: 200, response: 'canMessage', errors: [], codes: REFUSAL_CODES },
  { operation: 'recipients.roles', method: 'GET', path: '/role-recipients', action: 'role-recipients.find', summary: 'Roles the caller may write to (the "send messages to roles" permission)', query: emptyQuerySchema, status: 200, response: 'roles', errors: [] },
  { operation: 'blocks.list', method: 'GET', path: '/blocks', action: 'blocks.find', summary: 'Users the caller blocked, newest first', query: emptyQuerySchema, status: 200, response: 'blockList', errors: [] },
  { operation: 'blocks.create', method: 'POST', path: '/blocks', action: 'blocks.create', summary: 'Block a user', query: emptyQuerySchema, body: blockBodySchema, status: 201, response: 'blockedUser', errors: [403, 404], codes: ['unblockable'] },
  { operation: 'blocks.remove', method: 'DELETE', path: '/blocks/:userId', action: 'blocks.delete', summary: 'Unblock a user', params: blockParams, query: emptyQuerySchema, status: 204, errors: [] },
  { operation: 'preferences.get', method: 'GET', path: '/preferences', action: 'preferences.find', summary: 'The caller’s messaging and email preferences', query: emptyQuerySchema, status: 200, response: 'preferences', errors: [] },
  { operation: 'preferences.update', method: 'PUT', path: '/preferences', action: 'preferences.update', summary: 'Change either preference or both', query: emptyQuerySchema, body: preferencesBodySchema, status: 200, response: 'preferences', errors: [] },
  { operation: 'export.download', method: 'GET', path: '/export', action: 'export.download', summary: 'The caller’s messaging data, one JSON document streamed as a download (format in docs/api.md, *Privacy*)', query: emptyQuerySchema, status: 200, produces: 'application/json', errors: [] },
  { operation: 'push.key', method: 'GET', path: '/push/key', action: 'push.key', summary: 'The server’s VAPID public key, for PushManager.subscribe', query: emptyQuerySchema, status: 200, response: 'pushKey', errors: [] },
  { operation: 'push.subscribe', method: 'POST', path: '/push/subscriptions', action: 'push.subscribe', summary: 'Register this browser’s push subscription for the caller', query: emptyQuerySchema, body: pushSubscriptionBodySchema, status: 201, response: 'pushSubscription', errors: [] },
  { operation: 'push.unsubscribe', method: 'DELETE', path: '/push/subscriptions', action: 'push.unsubscribe', summary: 'Forget a push subscription of the caller', query: emptyQuerySchema, body: pushUnsubscribeBodySchema, status: 204, errors: [] },
  { operation: 'attachments.upload', method: 'POST', path: '/attachments', action: 'attachments.upload', summary: 'Stage files for a message (multipart, field `files`): the caller’s until sent with `attachments: [id]`, deleted after `attachments.stagedHours` unsent; 409 `staged_limit` past `attachments.maxStagedFiles` or `maxStagedBytes` unsent. 404 when attachments are off', query: emptyQuerySchema, consumes: 'multipart/form-data', status: 201, response: 'attachmentList', errors: [404, 409, 413, 422], codes: ['unsupported_type', 'infected', 'scan_failed', 'staged_limit'] },
  { operation: 'attachments.content', method: 'GET', path: '/attachments/:id/content', action: 'attachments.content', summary: 'An attachment’s bytes (Range supported), to whoever may see its message; 404 to anyone else. Or a 302 to a signed URL valid ≤ 60 s (provider storage)', params: attachmentParams, query: emptyQuerySchema, status: 200, produces: 'application/octet-stream', errors: [404] },
  { operation: 'attachments.thumbnail', method: 'GET', path: '/attachments/:id/thumbnail', action: 'attachments.thumbnail', summary: 'An image attachment’s thumbnail (WebP, at most 320×320), as the content', params: attachmentParams, query: emptyQuerySchema, status: 200, produces: 'application/octet-stream', errors: [404] },
] as const satisfies readonly RouteContract[];

/** Every content-API route, the stream's too: what routes/content-api.ts mounts, in this order, and the document lists. */
export const contentApiRoutes = [...contentApiContract, ...streamContract] as const;

export type ContentApiRoute = (typeof contentApiRoutes)[number];
export type Operation = ContentApiRoute['operation'];

/** The answer's `z.infer`-able schema of a route. */
export const responseSchemaOf = (r: RouteContract) => (r.response ? responses[r.response] : undefined);
