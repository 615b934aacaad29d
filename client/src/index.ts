/*
 * strapi-plugin-private-messages/client: a typed client of the plugin's content API for browsers
 * and Node 20, with no dependency beyond fetch. Its types come from the schemas the server
 * validates with (server/src/contract).
 */
export { createPrivateMessagesClient, ROUTES, type PrivateMessagesClient } from './client';
export { PrivateMessagesError, isPrivateMessagesError, API_PREFIX, type ClientOptions, type FetchLike } from './http';
export { pages, items, collect } from './pages';
export { createSseParser, STREAM_EVENTS, type StreamOptions, type StreamHandle } from './stream';
export type * from './types';
