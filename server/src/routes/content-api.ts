import { streamTicketStrategy } from '../auth/stream-ticket-strategy';
import type { PluginRouter } from './types';

const RETRY_AFTER = 'plugin::private-messages.retry-after';

/**
 * Content-API routes, under /api/private-messages. Each handler is a users-permissions action
 * (`plugin::private-messages.<controller>.<action>`) that a site builder grants per role.
 */
/*
 * Every route but the event stream's answers with Retry-After what the client may retry: a rate-limited
 * send's 429, and a 503 when the database gave up on the request for a passing reason.
 */
const withRetryAfter = <R extends { handler: string; config?: Record<string, unknown> }>(route: R): R =>
  route.handler === 'stream.connect' ? route : { ...route, config: { ...route.config, middlewares: [RETRY_AFTER] } };

export default {
  type: 'content-api',
  routes: ([
    { method: 'GET', path: '/threads', handler: 'threads.find' },
    { method: 'GET', path: '/search', handler: 'search.find' },
    { method: 'POST', path: '/threads', handler: 'threads.create' },
    // Before the `/threads/:id` routes: `actions` and `by-context` are not thread ids.
    { method: 'POST', path: '/threads/actions', handler: 'thread-actions.apply' },
    { method: 'GET', path: '/threads/by-context', handler: 'threads.byContext' },
    { method: 'GET', path: '/threads/:id', handler: 'threads.findOne' },
    { method: 'GET', path: '/threads/:id/messages', handler: 'threads.messages' },
    { method: 'POST', path: '/threads/:id/messages', handler: 'threads.reply' },
    { method: 'POST', path: '/threads/:id/read', handler: 'threads.read' },
    { method: 'POST', path: '/threads/:id/unread', handler: 'threads.unread' },
    { method: 'POST', path: '/threads/:id/leave', handler: 'threads.leave' },
    { method: 'POST', path: '/threads/:id/archive', handler: 'threads.archive' },
    { method: 'POST', path: '/threads/:id/unarchive', handler: 'threads.unarchive' },
    { method: 'POST', path: '/threads/:id/accept', handler: 'message-requests.accept' },
    { method: 'POST', path: '/threads/:id/decline', handler: 'message-requests.decline' },
    { method: 'DELETE', path: '/threads/:id', handler: 'threads.remove' },
    { method: 'PUT', path: '/threads/:id/tags', handler: 'tags.setOnThread' },
    { method: 'GET', path: '/tags', handler: 'tags.find' },
    { method: 'POST', path: '/tags', handler: 'tags.create' },
    { method: 'PUT', path: '/tags/:id', handler: 'tags.update' },
    { method: 'DELETE', path: '/tags/:id', handler: 'tags.delete' },
    { method: 'DELETE', path: '/messages/:id', handler: 'messages.remove' },
    { method: 'GET', path: '/messages/:id/deleted-body', handler: 'deleted-message.view' },
    { method: 'GET', path: '/unread-count', handler: 'unread-count.count' },
    { method: 'GET', path: '/recipients', handler: 'recipients.search' },
    { method: 'GET', path: '/can-message/:userId', handler: 'recipients.canMessage' },
    { method: 'GET', path: '/role-recipients', handler: 'role-recipients.find' },
    { method: 'POST', path: '/messages/:id/report', handler: 'reports.create' },
    { method: 'GET', path: '/blocks', handler: 'blocks.find' },
    { method: 'POST', path: '/blocks', handler: 'blocks.create' },
    { method: 'DELETE', path: '/blocks/:userId', handler: 'blocks.delete' },
    { method: 'GET', path: '/preferences', handler: 'preferences.find' },
    { method: 'PUT', path: '/preferences', handler: 'preferences.update' },
    { method: 'GET', path: '/export', handler: 'export.download' },
    { method: 'GET', path: '/push/key', handler: 'push.key' },
    { method: 'POST', path: '/push/subscriptions', handler: 'push.subscribe' },
    { method: 'DELETE', path: '/push/subscriptions', handler: 'push.unsubscribe' },
    // Server-Sent Events: a ticket (for the browser's EventSource) or the usual Bearer JWT.
    { method: 'GET', path: '/stream', handler: 'stream.connect', config: { auth: { strategies: [streamTicketStrategy, 'users-permissions'] } as any } },
    { method: 'POST', path: '/stream/tickets', handler: 'stream.ticket' },
    // Attachments (off unless config/plugins enables them: 404 then).
    { method: 'POST', path: '/attachments', handler: 'attachments.upload' },
    { method: 'GET', path: '/attachments/:id/content', handler: 'attachments.content' },
    { method: 'GET', path: '/attachments/:id/thumbnail', handler: 'attachments.thumbnail' },
  ] as PluginRouter['routes']).map(withRetryAfter),
} satisfies PluginRouter;
