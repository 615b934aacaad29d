import type { Core } from '@strapi/strapi';
import { inTransaction, withRetry } from '../utils/transaction';
import * as messagesRepo from '../repositories/messages';
import type { MessageRow } from '../repositories/messages';
import * as deliveryRepo from '../repositories/membership-delivery';
import * as threadsRepo from '../repositories/threads';
import * as outboxRepo from '../repositories/outbox';
import * as preferencesRepo from '../repositories/preferences';
import type { Db } from '../repositories/db';
import { AUDIENCE_LISTED, audienceSize, replyAudience } from '../repositories/visibility';
import { replyTargetOf } from './reply-target';
import type { RecipientRef } from '../utils/errors';
import { forbidden, notFound, refusedError } from '../utils/errors';
import { EVENTS } from '../events';
import { getService } from '../utils/get-service';
import { parse } from '../validation';
import { storedFields } from '../config/fields';
import { findAskedThread, recordAsk } from '../repositories/contexts';
import { addContacts, addContactsFromMessage, CONTACT_THREAD_MAX_MEMBERS } from '../repositories/contacts';
import type { Actor } from './people';
import { announceDeleted, deleteMessageIn, type Deleter } from './message-deletion';
import { AskedMeanwhile, type NewThreadData, type ReplyData, type ReplyInput, type SendInput, type SendOptions, type UserInput } from './messaging-types';

export { AskedMeanwhile };
export type { NewThreadData, ReplyData, ReplyInput, SendInput };

/**
 * The only writer of threads and messages: new threads, replies and deletions, each in one
 * transaction; members' state moves in set-based statements, never one query per member (a reply
 * to a thread of more than DEFERRED_DELIVERY_ABOVE members reaches them through the outbox
 * worker, in chunks, right after it commits). Events are emitted after the transaction commits.
 */
const messagingService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;

  const requireActor = async (user: UserInput): Promise<Actor> => {
    const actor = await getService('people').actorOf(user);
    if (!actor) throw forbidden('The author does not exist', { code: 'unknown_author' });
    return actor;
  };

  /**
   * Every send takes its author's row lock first, rules or not (the rate limit counts under the
   * same lock): blocking that author takes it too, so each message is written wholly before or
   * wholly after a block period's edge (repositories/visibility: block periods).
   */
  const lockAuthor = (trx: Db, authorId: number, now: Date) => preferencesRepo.lockUserRow(trx, authorId, now);

  const normalizeRecipients = (recipients: (RecipientRef | number)[]) =>
    (recipients ?? []).map((r) => (typeof r === 'number' ? { type: 'user' as const, id: r } : r));

  const replyTarget = (author: Actor, threadDocumentId: string) => replyTargetOf(knex(), author, threadDocumentId);

  /**
   * Would a message from `author` to `recipients` go through? The same gate as `send` and
   * `reply` (pass `context.threadId` for a reply), without writing anything.
   */
  const canSend = async (input: {
    author: UserInput;
    recipients?: (RecipientRef | number)[];
    context?: { threadId?: string };
  }) => {
    const author = await requireActor(input.author);
    const gate = getService('send-gate');
    const result = input.context?.threadId
      ? await gate.evaluate({ author, recipients: [], reply: (await replyTarget(author, input.context.threadId)).reply })
      : await gate.evaluate({ author, recipients: normalizeRecipients(input.recipients ?? []) });
    // A reply goes through when nobody refuses it (a group where everyone else left still takes replies).
    return {
      allowed: result.refused.length === 0 && (Boolean(input.context?.threadId) || result.allowed.length > 0),
      recipients: result.allowed,
      asRequest: result.asRequest,
      refused: [...result.refused, ...result.skipped],
    };
  };

  /**
   * Starts a thread for an author already resolved, with input already validated (the controller
   * has done both; `send` does them for other callers). Returns the thread as the author sees it,
   * the first message, and who was refused, built from what was written.
   */
  const startThread = async (author: Actor, data: NewThreadData, options: SendOptions = {}) => {
    const settings = await getService('settings').get();
    const rendered = getService('formats').render(settings, data.body, data.format);

    const gate = getService('send-gate');
    if (!options.bypassRules) await gate.assertWithinLimits(data.recipients.length);
    const { allowed, refused, skipped, asRequest, toStrangers } = await gate.evaluate({
      author,
      recipients: data.recipients,
      bypassRules: options.bypassRules,
      about: options.context,
    });
    if (refused.length > 0 && !data.skipRefused) throw refusedError(refused);
    if (allowed.length === 0) throw refusedError([...refused, ...skipped]);

    const memberIds = [author.id, ...allowed];
    // Users reached only through a role do not see the others (a broadcast: repositories/visibility).
    const named = new Set(data.recipients.filter((r) => r.type === 'user').map((r) => r.id));
    const hiddenIds = new Set(allowed.filter((id) => !named.has(id)));
    const refusedRoles = new Set(refused.filter((r) => r.recipient.type === 'role').map((r) => r.recipient.id));
    const roleIds = [...new Set(data.recipients.filter((r) => r.type === 'role' && !refusedRoles.has(r.id)).map((r) => r.id))];
    const roleNames = roleIds.length > 0 ? await getService('people').findRoles(roleIds) : new Map<number, { id: number; name: string }>();
    const roles = roleIds.filter((id) => roleNames.has(id)).map((id) => ({ id, name: roleNames.get(id)!.name }));
    const now = new Date();
    const requests = getService('message-requests');
    const limits = options.bypassRules ? null : await requests.planLimits(author, toStrangers, settings, now);
    const { thread, message } = await inTransaction(strapi, async (trx) => {
      await lockAuthor(trx, author.id, now);
      // An ask racing another by the same asker (a double click): under the author's lock, the
      // thread the first one started is found, and this one goes there (services/contexts).
      if (options.context) {
        const asked = await findAskedThread(trx, options.context, author.id, data.recipients[0]?.id);
        if (asked?.askerIsIn && asked.ownerIsIn) throw new AskedMeanwhile(asked.threadDocumentId);
      }
      if (!options.bypassRules) await gate.assertRate(trx, author.id, settings.rateLimit, now);
      await requests.assertDailyLimits(trx, author.id, limits, settings, now);
      const created = await threadsRepo.createThreadWithMessage(trx, {
        subject: data.subject?.trim() ?? '',
        authorId: author.id,
        memberIds,
        hiddenIds,
        roles,
        isGroup: memberIds.length > 2,
        message: { body: rendered.html, format: rendered.format, excerpt: rendered.excerpt, fields: storedFields(data.messageFields) },
        fields: storedFields(data.fields),
        requestIds: new Set(asRequest),
        toStrangers,
        now,
      });
      // The author wrote to the users they named: those become their contacts (repositories/contacts).
      if (memberIds.length <= CONTACT_THREAD_MAX_MEMBERS) await addContacts(trx, author.id, [...named].filter((id) => allowed.includes(id)), now);
      await getService('attachments').claim(trx, { ownerId: author.id, messageId: created.message.id, ids: data.attachments, now });
      await outboxRepo.enqueueJob(trx, { event: 'new_thread', messageId: created.message.id, threadId: created.thread.id, now });
      await options.recordSend?.(trx, { threadId: created.thread.id, messageId: created.message.id });
      if (!options.context) return created;
      await recordAsk(trx, { threadId: created.thread.id, about: options.context, askerId: author.id, now });
      return { ...created, thread: { ...created.thread, context: options.context } };
      // A recipient whose account was deleted meanwhile: refused as the gate now refuses them.
    }).catch((error) => gate.refuseVanished(error, { author, recipients: data.recipients, bypassRules: options.bypassRules }));
    getService('outbox').kick();

    strapi.eventHub.emit(EVENTS.threadCreated, {
      threadId: thread.documentId,
      authorId: author.id,
      memberIds,
      context: options.context ?? null,
    });
    strapi.eventHub.emit(EVENTS.messageCreated, {
      messageId: message.documentId,
      threadId: thread.documentId,
      authorId: author.id,
    });

    // Committed: a read that fails for a passing reason is tried again, never answered as a 500
    // (a client would send the message again).
    const inbox = getService('inbox');
    return withRetry(async () => ({
      thread: await inbox.presentStartedThread(author, { thread, message, memberIds }),
      message: await inbox.presentMessage(author, message, thread.documentId),
      refused: [...refused, ...skipped],
    }));
  };

  /** Adds a message to a thread the author (resolved) is a current member of (404 otherwise); `data` is validated. */
  const addReply = async (author: Actor, threadDocumentId: string, data: ReplyData, options: SendOptions = {}) => {
    const { view, reply } = await replyTarget(author, threadDocumentId);
    const settings = await getService('settings').get();
    const rendered = getService('formats').render(settings, data.body, data.format);
    const gate = getService('send-gate');
    if (!options.bypassRules) {
      const { refused } = await gate.evaluate({ author, recipients: [], reply });
      if (refused.length > 0) throw refusedError(refused);
    }

    const now = new Date();
    // In a broadcast, a recipient's reply is for the starter alone (repositories/visibility).
    const audience = replyAudience(view.thread, { userId: author.id, hidden: view.membership.hidden });
    const message = await inTransaction(strapi, async (trx) => {
      // The author's row first, then the rate: that lock comes before the thread's (lock order).
      await lockAuthor(trx, author.id, now);
      if (!options.bypassRules) await gate.assertRate(trx, author.id, settings.rateLimit, now);
      await threadsRepo.lockThread(trx, view.thread.id);
      // A reply answers the replier's request; a request's author waits for an answer (message-requests).
      await getService('message-requests').onReply(trx, {
        threadId: view.thread.id,
        starterId: view.thread.starterId,
        membershipId: view.membership.id,
        requestState: view.membership.requestState,
        authorId: author.id,
        checkLimit: !options.bypassRules,
        now,
      });
      const msg = await messagesRepo.insertMessage(trx, {
        threadId: view.thread.id,
        subject: view.thread.subject,
        authorId: author.id,
        body: rendered.html,
        format: rendered.format,
        excerpt: rendered.excerpt,
        fields: storedFields(data.fields),
        now,
        ...audience,
      });
      await getService('attachments').claim(trx, { ownerId: author.id, messageId: msg.id, ids: data.attachments, now });
      await threadsRepo.recordMessageOnThread(trx, view.thread.id, msg.id, now);
      // Big audiences are delivered by the outbox worker once this commits (see DEFERRED_DELIVERY_ABOVE).
      if (audienceSize(view.thread, audience) <= deliveryRepo.DEFERRED_DELIVERY_ABOVE) {
        await deliveryRepo.deliverMessage(trx, { threadId: view.thread.id, messageId: msg.id, now, message: { authorId: author.id, ...audience } });
      }
      await deliveryRepo.recordAuthorActivity(trx, { threadId: view.thread.id, authorId: author.id, messageId: msg.id, now });
      const listedOnly = audience.audience === AUDIENCE_LISTED;
      await addContactsFromMessage(trx, { threadId: view.thread.id, authorId: author.id, audienceUserId: audience.audienceUserId, listedOnly });
      await outboxRepo.enqueueJob(trx, { event: 'reply', messageId: msg.id, threadId: view.thread.id, now });
      await options.recordSend?.(trx, { threadId: view.thread.id, messageId: msg.id });
      return msg;
    });
    getService('outbox').kick();

    strapi.eventHub.emit(EVENTS.messageCreated, {
      messageId: message.documentId,
      threadId: view.thread.documentId,
      authorId: author.id,
    });
    // Committed: the read is tried again rather than answered as a 500 (see startThread).
    return withRetry(() => getService('inbox').presentMessage(author, message, view.thread.documentId));
  };

  return {
    /** Starts a thread (the programmatic API: the author by id or user object, the input validated here). */
    async send(input: SendInput, options: SendOptions = {}) {
      const { author: authorInput, ...rest } = input;
      // The site's custom fields are checked as over HTTP (services/fields).
      const data = parse(getService('fields').newThreadSchema(), { ...rest, recipients: normalizeRecipients(input.recipients) });
      return startThread(await requireActor(authorInput), data, options);
    },

    startThread,

    canSend,

    /** For a "Send private message" link: may the caller start a thread with this user, and if not, why. */
    async canMessage(author: UserInput, userId: number) {
      const { allowed, refused, asRequest } = await canSend({ author, recipients: [{ type: 'user', id: userId }] });
      return { allowed, asRequest: allowed && asRequest.includes(userId), reasons: refused.map(({ code, message }) => ({ code, message })) };
    },

    /** Adds a message to a thread the author is a current member of (404 otherwise). */
    async reply(input: ReplyInput, options: SendOptions = {}) {
      const { author: authorInput, threadId, ...rest } = input;
      const data = parse(getService('fields').replySchema(), rest);
      return addReply(await requireActor(authorInput), String(threadId), data, options);
    },

    addReply,

    /**
     * Soft-deletes the caller's own message (message-deletion.ts): others see a placeholder. The
     * body stays until the purge removes it, for roles allowed to view deleted messages.
     */
    async deleteOwnMessage(user: UserInput, messageDocumentId: string) {
      const actor = await requireActor(user);
      const visible = await messagesRepo.findVisibleMessage(knex(), actor.id, messageDocumentId);
      if (!visible) throw notFound('Message');
      const { message } = visible;
      if (message.authorId !== actor.id) throw forbidden('You can only delete your own messages');
      if (message.deletedAt) return;
      await inTransaction(strapi, (trx) => deleteMessageIn(trx, message, new Date()));
      await announceDeleted(strapi, message, { userId: actor.id });
    },

    /** Deletes a message inside the caller's transaction (a moderator resolving a report); announceDeleted once it commits. */
    deleteMessageIn,

    /** `messageDeleted` for a deletion that has committed: `by` is its author or a moderator. */
    announceDeleted: (message: MessageRow, by: Deleter) => announceDeleted(strapi, message, by),
  };
};

export default messagingService;
