import { errors } from '@strapi/utils';

/**
 * Adds `Retry-After` to the 429 a rate-limited send answers; Strapi's error middleware renders the
 * body but knows nothing of headers. Applied to the routes that send.
 */
const retryAfter = () => async (ctx: any, next: () => Promise<unknown>) => {
  try {
    await next();
  } catch (error) {
    const seconds = ((error as errors.RateLimitError)?.details as { retryAfter?: number } | undefined)?.retryAfter;
    if (error instanceof errors.RateLimitError && Number.isFinite(seconds ?? NaN)) ctx.set('Retry-After', String(seconds));
    throw error;
  }
};

export default retryAfter;
