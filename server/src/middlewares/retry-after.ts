import { errors } from '@strapi/utils';
import { serviceUnavailable } from '../utils/errors';
import { RETRY_AFTER_SECONDS, TransientDatabaseError, isRetriableDatabaseError, outcomeUnknown } from '../utils/transaction';

/**
 * Answers with `Retry-After` what the client may simply try again, on every route:
 * - a rate-limited send's 429 (Strapi's error middleware renders the body but knows nothing of headers);
 * - a database that gave up on the request for a passing reason (a deadlock or a lost connection,
 *   whose transaction utils/transaction.ts retried until it ran out of attempts, or a read outside
 *   any transaction): a 503 in Strapi's error shape, never a 500. `details.code` is `unavailable`
 *   when nothing was changed (any request may be repeated), `outcome_unknown` when the change may
 *   have been stored (the connection was lost during the commit, or after one): only a send with
 *   its Idempotency-Key is safe to repeat then.
 */
const retryAfter = () => async (ctx: any, next: () => Promise<unknown>) => {
  try {
    await next();
  } catch (error) {
    const seconds = ((error as errors.RateLimitError)?.details as { retryAfter?: number } | undefined)?.retryAfter;
    if (error instanceof errors.RateLimitError && Number.isFinite(seconds ?? NaN)) ctx.set('Retry-After', String(seconds));
    if (error instanceof TransientDatabaseError || isRetriableDatabaseError(error)) {
      ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
      if (outcomeUnknown(error, ctx.state)) {
        throw serviceUnavailable('The connection to the database was lost after the change was sent: it may have been stored', {
          code: 'outcome_unknown',
          retryAfter: RETRY_AFTER_SECONDS,
        });
      }
      throw serviceUnavailable('The service is busy, try again shortly', { code: 'unavailable', retryAfter: RETRY_AFTER_SECONDS });
    }
    throw error;
  }
};

export default retryAfter;
