import { streamTicketStrategy } from '../auth/stream-ticket-strategy';
import { contentApiRoutes, type RouteContract } from '../contract/routes';
import type { Handler, PluginRouter } from './types';

const RETRY_AFTER = 'plugin::private-messages.retry-after';

/*
 * Every route answers with Retry-After what the client may retry (a rate-limited send's 429, and a
 * 503 when the database gave up on the request for a passing reason), except the event stream,
 * whose response is written to directly. The stream also takes a ticket (`?ticket=`): the
 * browser's EventSource cannot send the JWT's header.
 */
const configOf = (route: RouteContract) => ({
  ...(route.ticket ? { auth: { strategies: [streamTicketStrategy, 'users-permissions'] } as any } : {}),
  ...(route.produces === 'text/event-stream' ? {} : { middlewares: [RETRY_AFTER] }),
});

/**
 * Content-API routes, under /api/private-messages: the contract's table (server/src/contract), in
 * its order. Each handler is a users-permissions action (`plugin::private-messages.<controller>.<action>`)
 * that a site builder grants per role.
 */
export default {
  type: 'content-api',
  routes: contentApiRoutes.map((route) => ({
    method: route.method,
    path: route.path,
    handler: route.action satisfies Handler,
    config: configOf(route),
  })),
} satisfies PluginRouter;
