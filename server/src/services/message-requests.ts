import type { Core } from '@strapi/strapi';
import type { PluginConfig } from '../config/defaults';
import type { Db } from '../repositories/db';
import * as membershipsRepo from '../repositories/memberships';
import * as deliveryRepo from '../repositories/membership-delivery';
import * as requestsRepo from '../repositories/message-requests';
import { declineMembership } from '../repositories/membership-read-state';
import * as threadsRepo from '../repositories/threads';
import { addContacts } from '../repositories/contacts';
import { lockUserRow } from '../repositories/preferences';
import { createUsersRepository, type Actor } from '../repositories/users';
import { conflict, forbidden, notFound, rateLimited } from '../utils/errors';
import { getService } from '../utils/get-service';
import { inTransaction } from '../utils/transaction';
import { EVENTS } from '../events';
import { REQUEST_MESSAGES, type RequestRefusalCode } from './refusal-messages';

const DAY_MS = 86_400_000;

/** What the rules of a new thread decided for its named recipients (services/send-gate asks). */
export type NewThreadDecision = {
  refusals: Map<number, RequestRefusalCode[]>;
  /** Recipients it reaches as a message request. */
  asRequest: number[];
  /** Whether a recipient it reaches is not a contact of the author (the stranger limit counts it). */
  toStrangers: boolean;
};

/** Which daily limits a new thread must be counted against, decided before its transaction. */
export type LimitPlan = { newAccount: boolean; strangers: boolean; accountNewUntil: number };

/**
 * Message requests and who may message me (docs/api.md). The send gate asks `decideNewThread`
 * about the named recipients of every new thread; `startThread` counts the daily limits under the
 * author's row lock (the lock the rate limit counts under, so concurrent sends take turns); a
 * reply by a member with a pending request accepts it, and the request's author may send at most
 * `requestMessageLimit` messages while a request of the thread is pending. Users of an unblockable
 * role are never refused by these rules, never sent as requests and never limited.
 */
const messageRequestsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const usersRepo = createUsersRepository(strapi);

  const isUnblockable = (author: Actor, settings: PluginConfig) => author.roleId !== null && settings.unblockableRoles.includes(author.roleId);

  /** A declared context opts out of requests with `requests: false` (a buyer asking a seller is expected). */
  const contextTakesRequests = (about?: { uid: string }) => {
    if (!about) return true;
    const declaration = getService('contexts').declarations()[about.uid] as { requests?: boolean } | undefined;
    return declaration?.requests !== false;
  };

  const changed = (userId: number, threadDocumentId: string, change: 'read' | 'removed') =>
    strapi.eventHub.emit(EVENTS.threadsUpdated, { userId, threadIds: [threadDocumentId], change });

  /** The caller's pending request (404 when not a current member, 409 when it is not a pending request). */
  const requireMembership = async (viewer: Actor, threadDocumentId: string) => {
    const view = await membershipsRepo.findActiveMembership(knex(), viewer.id, threadDocumentId);
    if (!view) throw notFound('Thread');
    return view;
  };

  return {
    async decideNewThread(author: Actor, recipientIds: number[], about?: { uid: string }): Promise<NewThreadDecision> {
      const settings = await getService('settings').get();
      const decision: NewThreadDecision = { refusals: new Map(), asRequest: [], toStrangers: false };
      if (recipientIds.length === 0 || isUnblockable(author, settings)) return decision;
      const [allow, contacts] = await Promise.all([
        getService('preferences').allowMessagesFrom(recipientIds),
        getService('contacts').contactsAmong(recipientIds, author.id),
      ]);
      const refuse = (id: number, code: RequestRefusalCode) => decision.refusals.set(id, [code]);
      const strangers: number[] = [];
      for (const id of recipientIds) {
        if (allow.get(id) === 'nobody') refuse(id, 'recipient_not_accepting');
        else if (contacts.has(id)) continue;
        else if (allow.get(id) === 'contacts') refuse(id, 'recipient_contacts_only');
        else strangers.push(id);
      }
      decision.toStrangers = strangers.length > 0;
      if (!settings.messageRequests || !contextTakesRequests(about) || strangers.length === 0) return decision;
      // One request per pair at a time, and one a day after a decline.
      const recent = await requestsRepo.recentRequestsTo(knex(), author.id, strangers, new Date(Date.now() - DAY_MS));
      for (const id of strangers) if (recent.has(id)) refuse(id, 'request_pending');
      decision.asRequest = strangers.filter((id) => !recent.has(id));
      return decision;
    },

    /** The daily limits a new thread is counted against; read before the send's transaction. */
    async planLimits(author: Actor, toStrangers: boolean, settings: PluginConfig, now: Date): Promise<LimitPlan | null> {
      if (isUnblockable(author, settings)) return null;
      const strangers = toStrangers && settings.strangerDailyThreads > 0;
      let newAccount = false;
      let accountNewUntil = 0;
      if (settings.newAccountDays > 0 && settings.newAccountDailyThreads > 0) {
        const createdAt = await usersRepo.accountCreatedAt(author.id);
        accountNewUntil = (createdAt?.getTime() ?? 0) + settings.newAccountDays * DAY_MS;
        newAccount = accountNewUntil > now.getTime();
      }
      return newAccount || strangers ? { newAccount, strangers, accountNewUntil } : null;
    },

    /**
     * 429 when the author reached a daily limit: threads started in the last 24 hours (new
     * accounts), or started with someone who was not a contact. Inside the send's transaction,
     * after the author's row lock: concurrent sends count one after the other. Replies never count.
     */
    async assertDailyLimits(trx: Db, authorId: number, plan: LimitPlan | null, settings: PluginConfig, now: Date) {
      if (!plan) return;
      const since = new Date(now.getTime() - DAY_MS);
      const { total, strangers } = await requestsRepo.countStartedSince(trx, authorId, since);
      const retryAfter = async (strangersOnly: boolean, until = Infinity) => {
        const oldest = await requestsRepo.oldestStartedSince(trx, authorId, since, strangersOnly);
        const freed = oldest ? new Date(oldest).getTime() + DAY_MS : now.getTime();
        return Math.max(1, Math.ceil((Math.min(freed, until) - now.getTime()) / 1000));
      };
      if (plan.newAccount && total >= settings.newAccountDailyThreads) {
        throw rateLimited(`New accounts can start at most ${settings.newAccountDailyThreads} conversations a day`, {
          code: 'new_account_limit',
          retryAfter: await retryAfter(false, plan.accountNewUntil),
        });
      }
      if (plan.strangers && strangers >= settings.strangerDailyThreads) {
        throw rateLimited(`You can start at most ${settings.strangerDailyThreads} conversations a day with people you have not talked to`, {
          code: 'stranger_limit',
          retryAfter: await retryAfter(true),
        });
      }
    },

    /**
     * In a reply's transaction, under the author's row lock: a member answering their pending (or
     * declined) request accepts it; the request's starter may send at most `requestMessageLimit`
     * messages while a member still has it pending (403 request_pending, nothing written).
     */
    async onReply(
      trx: Db,
      input: { threadId: number; starterId: number | null; membershipId: number; requestState: string | null; authorId: number; checkLimit: boolean; now: Date }
    ) {
      if (input.requestState === requestsRepo.PENDING || input.requestState === requestsRepo.DECLINED) {
        await requestsRepo.acceptMembership(trx, input.membershipId, input.now);
        return;
      }
      if (!input.checkLimit || input.starterId !== input.authorId || !(await requestsRepo.hasPendingMember(trx, input.threadId, input.authorId))) return;
      const { requestMessageLimit } = await getService('settings').get();
      if ((await requestsRepo.countAuthorMessages(trx, input.threadId, input.authorId)) >= requestMessageLimit) {
        throw forbidden(`You can send ${requestMessageLimit} messages before an answer`, { code: 'request_pending', limit: requestMessageLimit });
      }
    },

    /** Accepts the caller's request: into the inbox, and its author becomes their contact. */
    async accept(viewer: Actor, threadDocumentId: string) {
      const view = await requireMembership(viewer, threadDocumentId);
      const { requestState } = view.membership;
      if (requestState === requestsRepo.PENDING || requestState === requestsRepo.DECLINED) {
        const now = new Date();
        await inTransaction(strapi, async (trx) => {
          await lockUserRow(trx, viewer.id, now);
          await threadsRepo.lockThread(trx, view.thread.id);
          await requestsRepo.acceptMembership(trx, view.membership.id, now);
          // Messages still on their way now count in the inbox.
          await deliveryRepo.catchUpMemberships(trx, [view.membership.id], now);
          if (view.thread.starterId !== null) await addContacts(trx, viewer.id, [view.thread.starterId], now);
        });
        changed(viewer.id, threadDocumentId, 'read');
      }
      return getService('inbox').getThreadSummary(viewer, threadDocumentId);
    },

    /** Declines the caller's pending request: removed from their folders, the author is not told; `block` blocks them too. */
    async decline(viewer: Actor, threadDocumentId: string, block = false) {
      const view = await requireMembership(viewer, threadDocumentId);
      if (view.membership.requestState !== requestsRepo.PENDING) {
        throw conflict('This thread is not a pending message request', { code: 'not_a_request' });
      }
      const blocking = block && view.thread.starterId !== null && view.thread.starterId !== viewer.id;
      // A block that would be refused (an unblockable role) refuses the decline too: nothing half done.
      if (blocking) await getService('blocks').assertBlockable(viewer, view.thread.starterId!);
      await inTransaction(strapi, async (trx) => {
        await threadsRepo.lockThread(trx, view.thread.id);
        await membershipsRepo.lockMembership(trx, view.membership.id);
        await declineMembership(trx, view.membership.id, new Date());
      });
      changed(viewer.id, threadDocumentId, 'removed');
      if (blocking) await getService('blocks').block(viewer, view.thread.starterId!);
    },

    /**
     * The moderation page: per sender, message requests sent over the last `days` days, declined,
     * and declined with a block; the 50 most declined-with-block first (then declined, then sent).
     */
    async moderationStats(days: number) {
      const rows = (await requestsRepo.requestStatsSince(knex(), new Date(Date.now() - days * DAY_MS)))
        .sort((a, b) => b.declinedWithBlock - a.declinedWithBlock || b.declined - a.declined || b.sent - a.sent || a.userId - b.userId)
        .slice(0, 50);
      const users = await getService('people').summaries(rows.map((r) => r.userId));
      return rows.map(({ userId, ...counts }) => ({ user: users.get(userId) ?? null, ...counts }));
    },
  };
};

export default messageRequestsService;
