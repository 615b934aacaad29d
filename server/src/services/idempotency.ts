import { createHash } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import * as keysRepo from '../repositories/idempotency-keys';
import * as messagesRepo from '../repositories/messages';
import * as threadsRepo from '../repositories/threads';
import type { Db } from '../repositories/db';
import { isUniqueViolation } from '../repositories/dialect';
import { unprocessable } from '../utils/errors';
import { getService } from '../utils/get-service';
import { withRetry } from '../utils/transaction';
import type { Actor } from './people';

/** How long a key is remembered, per user. The purge's cron deletes older ones. */
export const IDEMPOTENCY_KEY_TTL_MS = 86_400_000;
/** How long a retry waits for the first request's answer while that request is still finishing. */
const ANSWER_WAIT_MS = 5_000;

export type SendAnswer = { status: number; body: unknown };
type Request = { operation: 'threads.create' | 'threads.reply'; threadId?: string; body: unknown };
type RecordSend = (trx: Db, written: { threadId: number; messageId: number }) => Promise<void>;

/**
 * Sends with an `Idempotency-Key`: the first request with a key sends and its answer is kept; a
 * retry with the same key and the same request gets that answer again and stores nothing. The key
 * is recorded in the send's own transaction, so two requests with one key racing each other store
 * one message: the second waits on the key's unique index, fails as a duplicate, and answers the
 * first's result. The same key with a different request is a 422. Keys last a day per user.
 */
const idempotencyService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const hashOf = (request: Request) => createHash('sha256').update(JSON.stringify([request.operation, request.threadId ?? null, request.body])).digest('hex');
  const expiry = (now = new Date()) => new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS);

  /**
   * What the first request answered. Its answer is stored just after its commit: a retry arriving
   * in between waits for it, and should it never come (that instance stopped), the answer is built
   * from what the send wrote (a new thread's `meta.refused` is then empty).
   */
  const replay = async (viewer: Actor, key: string, record: keysRepo.IdempotencyRecord, request: Request): Promise<SendAnswer> => {
    if (record.requestHash !== hashOf(request)) {
      throw unprocessable('This Idempotency-Key was used for a different request', { code: 'idempotency_key_reused' });
    }
    let current: keysRepo.IdempotencyRecord | null = record;
    for (const deadline = Date.now() + ANSWER_WAIT_MS; !current?.answer && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      current = await withRetry(() => keysRepo.findKey(knex(), viewer.id, key, expiry()));
    }
    // A kept answer holds the message as sent: once it is deleted, the retry shows it as it is now.
    if (current?.answer && !(await withRetry(() => isDeleted(record.messageId)))) return current.answer;
    return withRetry(() => rebuild(viewer, record, request.operation));
  };

  const isDeleted = async (messageId: number | null) => {
    const [message] = await messagesRepo.findMessagesByIds(knex(), [messageId ?? 0]);
    return !message || message.deletedAt !== null;
  };

  const rebuild = async (viewer: Actor, record: keysRepo.IdempotencyRecord, operation: Request['operation']): Promise<SendAnswer> => {
    const [message] = await messagesRepo.findMessagesByIds(knex(), [record.messageId ?? 0]);
    const thread = await threadsRepo.findThreadById(knex(), record.threadId ?? 0);
    if (!message || !thread) throw new Error('The message of this Idempotency-Key is gone');
    const inbox = getService('inbox');
    const presented = await inbox.presentMessage(viewer, message, thread.documentId);
    if (operation === 'threads.reply') return { status: 201, body: { data: presented } };
    // A new thread, or an ask about a document that the asker's earlier thread took (services/contexts).
    const created = await messagesRepo.isFirstOfThread(knex(), thread.id, message.id);
    return {
      status: created ? 201 : 200,
      body: { data: { thread: await inbox.getThreadSummary(viewer, thread.documentId), message: presented }, meta: { refused: [], created } },
    };
  };

  return {
    /**
     * Runs `send` once per key: `send` receives the hook that records the key inside its
     * transaction (messaging's `recordSend`). Without a key, it just sends.
     */
    async once(viewer: Actor, key: string | undefined, request: Request, send: (recordSend?: RecordSend) => Promise<SendAnswer>): Promise<SendAnswer> {
      if (!key) return send();
      const requestHash = hashOf(request);
      const found = await withRetry(() => keysRepo.findKey(knex(), viewer.id, key, expiry()));
      if (found) return replay(viewer, key, found, request);
      let answer: SendAnswer;
      try {
        answer = await send((trx, written) =>
          keysRepo.insertKey(trx, { userId: viewer.id, key, requestHash, ...written, now: new Date(), expiredBefore: expiry() })
        );
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const first = await withRetry(() => keysRepo.findKey(knex(), viewer.id, key, expiry()));
        if (!first) throw error;
        return replay(viewer, key, first, request);
      }
      await withRetry(() => keysRepo.storeAnswer(knex(), viewer.id, key, answer)).catch((error: Error) =>
        strapi.log.warn(`[private-messages] idempotency key answer not stored (a retry rebuilds it): ${error.message}`)
      );
      return answer;
    },

    /** Forgets keys older than a day (the purge's cron). */
    purgeExpired: (now = new Date()) => keysRepo.deleteKeysBefore(knex(), expiry(now)),
  };
};

export default idempotencyService;
