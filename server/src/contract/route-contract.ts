import type { z } from 'zod';
import type { ErrorStatus, RefusalCode, RequestCode } from './errors';
import type { ResponseName } from './responses';

/** One content-API route as the contract states it (contract/routes.ts lists them; the router, OpenAPI and the client are made from them). */
export type RouteContract = {
  /** The typed client's method (`client.threads.list`, ...) and the OpenAPI operationId. */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to /api/private-messages, Strapi's `:param` syntax. */
  path: string;
  /**
   * `controller.action`: the route's handler, and the users-permissions action
   * `plugin::private-messages.<action>` a role is granted (routes/types.ts: a typo does not compile).
   */
  action: string;
  /** Authenticates with a stream ticket (`?ticket=`, auth/stream-ticket-strategy.ts) before the users-permissions JWT. */
  ticket?: true;
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Request headers it reads (documented as header parameters). */
  headers?: z.ZodType;
  status: 200 | 201 | 204;
  /** The answer's envelope (none for 204). */
  response?: ResponseName;
  /** The 4xx answers besides 400 (always possible: unknown keys) and Strapi's 401/403 for a missing grant. */
  errors: ErrorStatus[];
  /** Machine-readable codes in `details.refused[].code` or `details.code`. */
  codes?: readonly (RefusalCode | RequestCode)[];
  /** Not a JSON envelope: the event stream, a JSON document sent as a download (the export), a file's bytes. */
  produces?: 'text/event-stream' | 'application/json' | 'application/octet-stream';
  /** A multipart upload (field `files`) instead of a JSON body. */
  consumes?: 'multipart/form-data';
};
