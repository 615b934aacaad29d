import type { Core } from '@strapi/strapi';
import { TransientDatabaseError, isRetriableDatabaseError } from './transaction';

/*
 * users-permissions authenticates the caller by loading the token's user, its role's permissions
 * and its settings from the database, and answers any error there as "not authenticated": a
 * connection lost at that moment became a 401, which a front end takes for an expired session and
 * logs its user out. On the plugin's content API, a database failure during authentication is a
 * TransientDatabaseError instead, answered as a 503 with Retry-After (middlewares/retry-after.ts).
 *
 * How it is seen: every query failure of the request while it authenticates (knex's query-error,
 * in the request's own async context) and a failure of the user's lookup itself (a connection that
 * could not be had never reaches a query) are noted on the request; when authentication then
 * refuses the caller, or fails, the noted failure is what is answered.
 */

type Noted = { authenticating: boolean; failure?: unknown };
const NOTED = Symbol.for('private-messages.authentication');

type RequestContext = { get?: () => { state?: Record<symbol, unknown> } | undefined };
const notedOf = (strapi: Core.Strapi) =>
  (strapi as unknown as { requestContext?: RequestContext }).requestContext?.get?.()?.state?.[NOTED] as Noted | undefined;

const note = (strapi: Core.Strapi, error: unknown) => {
  const noted = notedOf(strapi);
  if (noted?.authenticating && isRetriableDatabaseError(error)) noted.failure ??= error;
};

type Auth = { authenticate: (ctx: any, next: () => Promise<unknown>) => Promise<unknown> };

/** Installs the above for requests whose path starts with `prefix` (the plugin's content API). */
export const answerAuthenticationFailures = (strapi: Core.Strapi, prefix: string) => {
  const auth = strapi.get('auth') as Auth;
  const authenticate = auth.authenticate.bind(auth);

  strapi.db.connection.on('query-error', (error: unknown) => note(strapi, error));
  const users = strapi.plugin('users-permissions')?.service('user') as { fetchAuthenticatedUser?: (...args: unknown[]) => Promise<unknown> } | undefined;
  const fetchUser = users?.fetchAuthenticatedUser;
  if (users && typeof fetchUser === 'function') {
    users.fetchAuthenticatedUser = async (...args: unknown[]) => {
      try {
        return await fetchUser.apply(users, args);
      } catch (error) {
        note(strapi, error);
        throw error;
      }
    };
  }

  auth.authenticate = async (ctx, next) => {
    if (typeof ctx.path !== 'string' || !ctx.path.startsWith(prefix)) return authenticate(ctx, next);
    const noted: Noted = { authenticating: true };
    ctx.state[NOTED] = noted;
    let passed = false;
    const proceed = () => {
      passed = true;
      noted.authenticating = false;
      return next();
    };
    let result: unknown;
    try {
      result = await authenticate(ctx, proceed);
    } catch (error) {
      if (!passed && noted.failure) throw new TransientDatabaseError(noted.failure);
      throw error;
    }
    noted.authenticating = false;
    // Refused (ctx.unauthorized sets the 401 without throwing) while the database was failing.
    if (!passed && noted.failure) throw new TransientDatabaseError(noted.failure);
    return result;
  };
};
