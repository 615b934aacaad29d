import type { Core } from '@strapi/strapi';
import type { Db } from '../repositories/db';
import { isRetriableDatabaseError } from '../repositories/dialect';

/*
 * The one way the plugin's services open a transaction: `inTransaction(strapi, work)`. A
 * transaction the database aborted for reasons of its own (a deadlock, a serialization failure, a
 * busy SQLite file, a connection lost before the commit) is run again, a few times, after a short
 * random pause; nothing of the failed attempt was kept, so running `work` again is safe (it must
 * only write to the database: events and kicks go after the commit). When the retries run out, or
 * the connection was lost during the commit itself (it may have committed: running it again could
 * store the writes twice), the error is a TransientDatabaseError, which the routes answer as a
 * 503 with Retry-After (middlewares/retry-after.ts), never a 500. A connection lost during the
 * commit, or any database failure after a transaction of the same request committed, leaves the
 * client unable to tell whether its change was stored: that 503 says `outcome_unknown`, and only a
 * request with an Idempotency-Key may then be repeated as is.
 */

/** Attempts in all, the first included. */
export const TRANSACTION_ATTEMPTS = 5;
/** What a 503 asks the client to wait, in seconds. */
export const RETRY_AFTER_SECONDS = 1;

/** What each database says when it gave up for a passing reason: repositories/dialect/errors.ts. */
export { isRetriableDatabaseError };

/** A retriable failure that was not, or could not be, retried away: answered as a 503. */
export class TransientDatabaseError extends Error {
  readonly retryAfter = RETRY_AFTER_SECONDS;
  /** `outcomeUnknown`: the connection was lost during the commit, which may have gone through. */
  constructor(
    readonly cause: unknown,
    readonly outcomeUnknown = false
  ) {
    super(`The database is busy, try again: ${(cause as Error)?.message ?? cause}`);
    this.name = 'TransientDatabaseError';
  }
}

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));

/**
 * Runs `attempt` until it succeeds, fails for a reason that is not retriable (thrown as is), or
 * has failed retriably TRANSACTION_ATTEMPTS times (a TransientDatabaseError). For reads, and for a
 * transaction as a whole (inTransaction); `isFinal(error)` says an error must not be retried even
 * though retriable (a commit that may have gone through).
 */
export const withRetry = async <T>(attempt: () => Promise<T>, isFinal: (error: unknown) => boolean = () => false): Promise<T> => {
  for (let n = 1; ; n += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof TransientDatabaseError) throw error;
      if (!isRetriableDatabaseError(error)) throw error;
      if (isFinal(error)) throw new TransientDatabaseError(error, true);
      if (n >= TRANSACTION_ATTEMPTS) throw new TransientDatabaseError(error);
      await pause(n);
    }
  }
};

/**
 * Runs `work` in a transaction, retried as a whole when the database aborted it (see above).
 * Inside another transaction it joins it (Strapi's transaction context), and the outermost one
 * retries.
 */
export const inTransaction = async <T>(strapi: Core.Strapi, work: (trx: Db) => Promise<T>): Promise<T> => {
  if (strapi.db.inTransaction()) return strapi.db.transaction(({ trx }) => work(trx as unknown as Db)) as Promise<T>;
  let committing = false;
  const result = await withRetry(
    async () => {
      committing = false;
      let settled: Promise<unknown> | undefined;
      const done = (await strapi.db.transaction(async ({ trx }) => {
        settled = (trx as { executionPromise?: Promise<unknown> }).executionPromise;
        settled?.catch(() => {});
        const value = await work(trx as unknown as Db);
        committing = true;
        return value;
      })) as T;
      // Strapi's transaction resolves even when the COMMIT failed (knex rejects the transaction's
      // own promise, not commit()'s): a lost connection at the commit would pass for a success.
      await settled;
      return done;
    },
    () => committing
  );
  markCommitted(strapi);
  return result;
};

/* The request (Koa's ctx.state, through Strapi's request context) in which a transaction committed. */
const COMMITTED = Symbol.for('private-messages.committed');

const markCommitted = (strapi: Core.Strapi) => {
  const state = (strapi as { requestContext?: { get?: () => { state?: Record<symbol, unknown> } | undefined } }).requestContext?.get?.()?.state;
  if (state) state[COMMITTED] = true;
};

/**
 * Whether a database failure answered now may hide a stored change: the commit itself was cut, or
 * this request committed a transaction before the failure (reading the answer after a send).
 */
export const outcomeUnknown = (error: unknown, state: Record<symbol, unknown> | undefined): boolean =>
  (error instanceof TransientDatabaseError && error.outcomeUnknown) || Boolean(state?.[COMMITTED]);
/**
 * Runs `work` once the current transaction commits (Strapi's transaction context: the outermost
 * one, e.g. a document service delete's), never if it rolls back; at once outside a transaction.
 * For what lies outside the database (stored files).
 */
export const afterCommit = async (strapi: Core.Strapi, work: () => Promise<void>) => {
  if (!strapi.db.inTransaction()) return work();
  await strapi.db.transaction(async ({ onCommit }) => onCommit(() => void work()));
};
