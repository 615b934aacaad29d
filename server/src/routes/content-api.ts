import type { PluginRouter } from './types';

/**
 * Content-API routes, under /api/private-messages. Each handler is a users-permissions action
 * (`plugin::private-messages.<controller>.<action>`) that a site builder grants per role.
 */
export default {
  type: 'content-api',
  routes: [
    { method: 'GET', path: '/threads', handler: 'threads.find' },
    { method: 'POST', path: '/threads', handler: 'threads.create' },
    { method: 'GET', path: '/threads/:id', handler: 'threads.findOne' },
    { method: 'GET', path: '/threads/:id/messages', handler: 'threads.messages' },
    { method: 'POST', path: '/threads/:id/messages', handler: 'threads.reply' },
    { method: 'POST', path: '/threads/:id/read', handler: 'threads.read' },
    { method: 'POST', path: '/threads/:id/unread', handler: 'threads.unread' },
    { method: 'POST', path: '/threads/:id/leave', handler: 'threads.leave' },
    { method: 'DELETE', path: '/threads/:id', handler: 'threads.remove' },
    { method: 'DELETE', path: '/messages/:id', handler: 'messages.remove' },
    { method: 'GET', path: '/messages/:id/deleted-body', handler: 'deleted-message.view' },
    { method: 'GET', path: '/unread-count', handler: 'unread-count.count' },
    { method: 'GET', path: '/recipients', handler: 'recipients.search' },
    { method: 'GET', path: '/can-message/:userId', handler: 'recipients.canMessage' },
  ],
} satisfies PluginRouter;
