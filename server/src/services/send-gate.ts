import type { Core } from '@strapi/strapi';
import * as blocksRepo from '../repositories/blocks';
import type { Db } from '../repositories/db';
import * as messagesRepo from '../repositories/messages';
import * as preferencesRepo from '../repositories/preferences';
import * as suspensionsRepo from '../repositories/suspensions';
import type { RecipientRef, Refusal } from '../utils/errors';
import { forbidden, rateLimited, refusedError } from '../utils/errors';
import { isForeignKeyViolation } from '../repositories/dialect';
import { createUsersRepository, type Actor } from '../repositories/users';
import { getService } from '../utils/get-service';
import { CONTENT_API_ACTIONS } from '../permissions';
import { REFUSAL_MESSAGES, type RefusalCode } from './refusal-messages';

/* The users-permissions actions the rules read (permissions.ts says what each one means). */
const { startThread: START_ACTION, reply: REPLY_ACTION, read: READ_ACTION, optOut: OPT_OUT_ACTION, sendToRoles: ROLE_SEND_ACTION } =
  CONTENT_API_ACTIONS;
const RULE_ACTIONS = [START_ACTION, REPLY_ACTION, READ_ACTION, OPT_OUT_ACTION, ROLE_SEND_ACTION];

export type { RefusalCode };

export type GateInput = {
  author: Actor;
  recipients: RecipientRef[];
  /** Set for replies: the thread, whether it is a group, and its other current members. */
  reply?: { threadId: string; isGroup: boolean; memberIds: number[]; about?: { uid: string; documentId: string } | null };
  /** A new thread about this document (services/contexts.ts): guards see it. */
  about?: { uid: string; documentId: string };
  bypassRules?: boolean;
};

export type GateResult = {
  /** Users the message goes to. */
  allowed: number[];
  /** Refusals of recipients the caller named: by default they stop the whole send. */
  refused: Refusal[];
  /** Refusals of users reached through a role: they are skipped, never stop the send. */
  skipped: Refusal[];
  /** Of `allowed`, those a new thread reaches as a message request (services/message-requests). */
  asRequest: number[];
  /** A new thread reaching someone who is not a contact of the author (the stranger limit). */
  toStrangers: boolean;
};


const refusal = (recipient: RecipientRef, code: RefusalCode): Refusal => ({ recipient, code, message: REFUSAL_MESSAGES[code] });
const user = (id: number): RecipientRef => ({ type: 'user', id });

/** Which actions a role holds: `can(roleId, action)`. */
type Grants = (roleId: number | null, action: string) => boolean;

/**
 * The one place that decides who may write to whom. Sends, replies, the programmatic API,
 * `can-message` and the recipient autocomplete all ask it; every refusal carries a
 * machine-readable code. Rules, in order:
 *   sender: role allowed to send, holds the action of the send (start a thread or reply),
 *     not suspended by a moderator, messaging on (when the role may change that);
 *   each recipient: exists, is not the sender, receives messages (their own choice counts when
 *     their role may change it), their role may read messages, did not block the sender;
 *   named recipients of a new thread: who may message them, and whether it goes as a message
 *     request (services/message-requests: contacts, allowMessagesFrom, requests);
 *   roles: the sender may write to roles; then each user of the role as above (skipped, not refused);
 *   guards registered by other code, on whatever is left.
 * Replies check only the sender in groups (members who blocked the author simply do not receive
 * it); in a 1:1 thread the other member is checked as a recipient.
 */
const sendGateService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const usersRepo = createUsersRepository(strapi);

  /**
   * The grants of the roles one evaluation meets, read in one query per batch of roles not seen
   * yet (usually one query: sender and recipients mostly share the Authenticated role), never one
   * per recipient.
   */
  const grantsMemo = () => {
    const known = new Map<number, Set<string>>();
    return async (roleIds: (number | null)[]): Promise<Grants> => {
      const missing = [...new Set(roleIds)].filter((id): id is number => id !== null && !known.has(id));
      if (missing.length > 0) for (const [id, actions] of await usersRepo.roleActions(missing, RULE_ACTIONS)) known.set(id, actions);
      return (roleId, action) => roleId !== null && Boolean(known.get(roleId)?.has(action));
    };
  };
  type GrantsMemo = ReturnType<typeof grantsMemo>;

  const senderRefusals = async (author: Actor, action: string, grants: GrantsMemo): Promise<RefusalCode[]> => {
    const settings = await getService('settings').get();
    const codes: RefusalCode[] = [];
    if (settings.allowedSenderRoles.length > 0 && !settings.allowedSenderRoles.includes(author.roleId ?? -1)) {
      codes.push('role_not_allowed');
    }
    // A suspension is its own row, not the user's preference: turning messaging back on cannot lift it.
    const [can, suspended, off] = await Promise.all([
      grants([author.roleId]),
      suspensionsRepo.isSuspended(knex(), author.id),
      getService('preferences').withMessagingOff([author.id]),
    ]);
    if (!can(author.roleId, action)) codes.push('no_permission');
    if (suspended) codes.push('sender_suspended');
    if (off.has(author.id) && can(author.roleId, OPT_OUT_ACTION)) codes.push('sender_disabled');
    return codes;
  };

  const canWriteToRoles = async (author: Actor, grants: GrantsMemo = grantsMemo()) => {
    const { roleWritingRoles } = await getService('settings').get();
    if (roleWritingRoles.length > 0 && !roleWritingRoles.includes(author.roleId ?? -1)) return false;
    return (await grants([author.roleId]))(author.roleId, ROLE_SEND_ACTION);
  };

  /**
   * Per-user checks, batched: one query each for users (with their roles), preferences and
   * blocks, and one for the grants of roles not seen yet, whatever the number of users. Users
   * reached through a role come with it (`knownRoles`): no join for each of a 10,000-user role.
   */
  const userRefusals = async (author: Actor, ids: number[], bypassRules: boolean, grants: GrantsMemo, knownRoles?: Map<number, number>) => {
    const refusals = new Map<number, RefusalCode[]>();
    const add = (id: number, code: RefusalCode) => refusals.set(id, [...(refusals.get(id) ?? []), code]);
    const users = await usersRepo.findForRules(ids, !bypassRules && !knownRoles);
    const roleOf = (id: number) => knownRoles?.get(id) ?? users.get(id)!.roleId;
    const existing = ids.filter((id) => users.has(id));
    for (const id of ids) if (!users.has(id)) add(id, 'unknown_recipient');
    for (const id of ids) if (id === author.id) add(id, 'self');
    if (!bypassRules) {
      const [off, blockers, can] = await Promise.all([
        getService('preferences').withMessagingOff(existing),
        blocksRepo.blockersOf(knex(), author.id, existing),
        grants(existing.map(roleOf)),
      ]);
      for (const id of existing) {
        if (id === author.id) continue;
        const { blocked } = users.get(id)!;
        const roleId = roleOf(id);
        if (blocked || (off.has(id) && can(roleId, OPT_OUT_ACTION))) add(id, 'recipient_disabled');
        if (!can(roleId, READ_ACTION)) add(id, 'recipient_cannot_read');
        if (blockers.has(id)) add(id, 'blocked');
      }
    }
    return refusals;
  };

  /** `evaluate`, given the sender's refusals (computed once by the caller). */
  const evaluateWith = async (input: GateInput, senderCodes: RefusalCode[], grants: GrantsMemo): Promise<GateResult> => {
    const { author, bypassRules = false } = input;
    const refused: Refusal[] = [];
    const skipped: Refusal[] = [];

    // A reply goes to the thread's members; in a group, only the sender is checked.
    const named: RecipientRef[] = input.reply
      ? input.reply.isGroup
        ? []
        : input.reply.memberIds.map(user)
      : input.recipients;

    if (input.reply?.isGroup && senderCodes.length > 0) {
      return { allowed: [], refused: senderCodes.map((code) => refusal(user(author.id), code)), skipped, asRequest: [], toStrangers: false };
    }

    const namedUsers = [...new Set(named.filter((r) => r.type === 'user').map((r) => r.id))];
    const roles = [...new Set(named.filter((r) => r.type === 'role').map((r) => r.id))];
    const candidates = new Set<number>(input.reply?.isGroup ? input.reply.memberIds : []);

    const perUser = await userRefusals(author, namedUsers, bypassRules, grants);
    // Who may start a thread with whom, and as a request or not: new threads' named users only
    // (role broadcasts are never requests; replies go on whatever was chosen since).
    const open = namedUsers.filter((id) => (perUser.get(id) ?? []).length === 0);
    const decision =
      bypassRules || input.reply ? null : await getService('message-requests').decideNewThread(author, open, input.about);
    for (const [id, codes] of decision?.refusals ?? []) perUser.set(id, codes);
    for (const id of namedUsers) {
      const codes = [...senderCodes, ...(perUser.get(id) ?? [])];
      codes.forEach((code) => refused.push(refusal(user(id), code)));
      if (codes.length === 0) candidates.add(id);
    }

    if (roles.length > 0) {
      const [found, allowedToRoles] = await Promise.all([
        usersRepo.findRoles(roles),
        bypassRules ? Promise.resolve(true) : canWriteToRoles(author, grants),
      ]);
      const expandable: number[] = [];
      for (const id of roles) {
        const ref: RecipientRef = { type: 'role', id };
        const codes: RefusalCode[] = [...senderCodes];
        if (!found.has(id)) codes.push('unknown_recipient');
        else if (!allowedToRoles) codes.push('role_send_not_allowed');
        codes.forEach((code) => refused.push(refusal(ref, code)));
        if (codes.length === 0) expandable.push(id);
      }
      const members = await usersRepo.roleMembers(expandable);
      members.delete(author.id);
      const fromRoles = [...members.keys()].filter((id) => !candidates.has(id) && !namedUsers.includes(id));
      const roleRefusals = await userRefusals(author, fromRoles, bypassRules, grants, members);
      for (const id of fromRoles) {
        const codes = roleRefusals.get(id) ?? [];
        codes.forEach((code) => skipped.push(refusal(user(id), code)));
        if (codes.length === 0) candidates.add(id);
      }
    }

    if (!bypassRules && candidates.size > 0) {
      const guardRefusals = await getService('guards').run({
        author: { id: author.id, roleId: author.roleId },
        recipients: [...candidates].map(user),
        context: input.reply ? { threadId: input.reply.threadId, ...input.reply.about } : { ...input.about },
      });
      for (const r of guardRefusals) {
        candidates.delete(r.recipient.id);
        (namedUsers.includes(r.recipient.id) || input.reply ? refused : skipped).push(r);
      }
    }

    const allowed = [...candidates];
    const asRequest = (decision?.asRequest ?? []).filter((id) => candidates.has(id));
    return { allowed, refused, skipped, asRequest, toStrangers: decision?.toStrangers ?? false };
  };

  const evaluate = async (input: GateInput): Promise<GateResult> => {
    const grants = grantsMemo();
    const action = input.reply ? REPLY_ACTION : START_ACTION;
    const senderCodes = input.bypassRules ? [] : await senderRefusals(input.author, action, grants);
    return evaluateWith(input, senderCodes, grants);
  };

  return {
    evaluate,

    /**
     * A send's transaction refused by a foreign key (a recipient's account deleted, and erased,
     * while it was written): answered with the gate's refusals now (unknown_recipient), never a
     * 500; any other error as it was.
     */
    async refuseVanished(error: unknown, input: GateInput): Promise<never> {
      const again = isForeignKeyViolation(error) ? (await evaluate(input)).refused : [];
      throw again.length > 0 ? refusedError(again) : error;
    },

    /**
     * For the recipient autocomplete: which of `candidateIds` the author could start a thread
     * with, by the very rules of a send (guards included), in one batched evaluation; and whether
     * they may write to roles. Nobody, when the sender may not send at all.
     */
    async reachable(author: Actor, candidateIds: number[]): Promise<{ users: number[]; roles: boolean }> {
      const grants = grantsMemo();
      if ((await senderRefusals(author, START_ACTION, grants)).length > 0) return { users: [], roles: false };
      const { allowed } =
        candidateIds.length === 0 ? { allowed: [] } : await evaluateWith({ author, recipients: candidateIds.map(user) }, [], grants);
      return { users: allowed, roles: await canWriteToRoles(author, grants) };
    },

    /** Limits on a whole send, before anyone is looked at: recipients as listed (a role counts once). */
    async assertWithinLimits(listedRecipients: number) {
      const { maxRecipients } = await getService('settings').get();
      if (listedRecipients > maxRecipients) {
        throw forbidden(`A message can have at most ${maxRecipients} recipient${maxRecipients === 1 ? '' : 's'}`, {
          code: 'max_recipients',
          limit: maxRecipients,
          refused: [],
        });
      }
    },

    /**
     * The per-user rate, counted in the database so it holds across instances: 429 with the
     * seconds until the oldest message of the window leaves it. Call it first in the transaction
     * that writes the message (`trx`): it locks the author's row, so that concurrent sends by one
     * author count one after the other, each seeing the messages of those before it. `rateLimit`
     * comes from the caller's settings: nothing outside the transaction may run while it holds
     * SQLite's only connection.
     */
    async assertRate(trx: Db, authorId: number, rateLimit: { max: number; windowSeconds: number }, now = new Date()) {
      if (rateLimit.max === 0) return;
      await preferencesRepo.lockUserRow(trx, authorId, now);
      const since = new Date(now.getTime() - rateLimit.windowSeconds * 1000);
      const { count, oldest } = await messagesRepo.countRecentByAuthor(trx, authorId, since);
      if (count < rateLimit.max) return;
      const retryAfter = Math.max(1, Math.ceil((new Date(oldest!).getTime() + rateLimit.windowSeconds * 1000 - now.getTime()) / 1000));
      throw rateLimited(`You can send at most ${rateLimit.max} messages every ${rateLimit.windowSeconds} seconds`, {
        code: 'rate_limited',
        retryAfter,
      });
    },

    /** Whether the author may write to roles (the setting and the users-permissions action). */
    canWriteToRoles: (author: Actor) => canWriteToRoles(author),
  };
};

export default sendGateService;
