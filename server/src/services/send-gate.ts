import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import * as blocksRepo from '../repositories/blocks';
import type { Db } from '../repositories/db';
import * as messagesRepo from '../repositories/messages';
import * as preferencesRepo from '../repositories/preferences';
import type { RecipientRef, Refusal } from '../utils/errors';
import { forbidden } from '../utils/errors';
import { getService } from '../utils/get-service';
import type { Actor } from './people';

/** The users-permissions action that is the "send messages to roles" permission. */
export const ROLE_SEND_ACTION = 'plugin::private-messages.role-recipients.find';

export type GateInput = {
  author: Actor;
  recipients: RecipientRef[];
  /** Set for replies: the thread, whether it is a group, and its other current members. */
  reply?: { threadId: string; isGroup: boolean; memberIds: number[] };
  bypassRules?: boolean;
};

export type GateResult = {
  /** Users the message goes to. */
  allowed: number[];
  /** Refusals of recipients the caller named: by default they stop the whole send. */
  refused: Refusal[];
  /** Refusals of users reached through a role: they are skipped, never stop the send. */
  skipped: Refusal[];
};

const MESSAGES = {
  role_not_allowed: 'Your role may not send private messages',
  sender_disabled: 'You turned private messages off',
  recipient_disabled: 'This user does not receive private messages',
  blocked: 'This user does not accept messages from you',
  self: 'You cannot send a message to yourself',
  unknown_recipient: 'This recipient does not exist',
  role_send_not_allowed: 'You may not write to a whole role',
} as const;
export type RefusalCode = keyof typeof MESSAGES;

const refusal = (recipient: RecipientRef, code: RefusalCode): Refusal => ({ recipient, code, message: MESSAGES[code] });
const user = (id: number): RecipientRef => ({ type: 'user', id });

/**
 * The one place that decides who may write to whom. Sends, replies, the programmatic API and
 * `can-message` all ask `evaluate`; every refusal carries a machine-readable code. Rules, in order:
 *   sender: role allowed to send, messaging on;
 *   each recipient: exists, is not the sender, receives messages, did not block the sender;
 *   roles: the sender may write to roles; then each user of the role as above (skipped, not refused);
 *   guards registered by other code, on whatever is left.
 * Replies check only the sender in groups (members who blocked the author simply do not receive
 * it); in a 1:1 thread the other member is checked as a recipient.
 */
const sendGateService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const people = () => getService('people');

  const senderRefusals = async (author: Actor): Promise<RefusalCode[]> => {
    const settings = await getService('settings').get();
    const codes: RefusalCode[] = [];
    if (settings.allowedSenderRoles.length > 0 && !settings.allowedSenderRoles.includes(author.roleId ?? -1)) {
      codes.push('role_not_allowed');
    }
    const off = await getService('preferences').withMessagingOff([author.id]);
    if (off.has(author.id)) codes.push('sender_disabled');
    return codes;
  };

  const canWriteToRoles = async (author: Actor) => {
    const { roleWritingRoles } = await getService('settings').get();
    if (roleWritingRoles.length > 0 && !roleWritingRoles.includes(author.roleId ?? -1)) return false;
    return people().roleHasAction(author, ROLE_SEND_ACTION);
  };

  /** Per-user checks, batched: one query each for users, preferences and blocks, whatever their number. */
  const userRefusals = async (author: Actor, ids: number[], bypassRules: boolean) => {
    const refusals = new Map<number, RefusalCode[]>();
    const add = (id: number, code: RefusalCode) => refusals.set(id, [...(refusals.get(id) ?? []), code]);
    const users = await people().findUsers(ids);
    const existing = ids.filter((id) => users.has(id));
    for (const id of ids) if (!users.has(id)) add(id, 'unknown_recipient');
    for (const id of ids) if (id === author.id) add(id, 'self');
    if (!bypassRules) {
      const [off, blockers] = await Promise.all([
        getService('preferences').withMessagingOff(existing),
        blocksRepo.blockersOf(knex(), author.id, existing),
      ]);
      for (const id of existing) {
        if (id === author.id) continue;
        if (users.get(id)!.blocked || off.has(id)) add(id, 'recipient_disabled');
        if (blockers.has(id)) add(id, 'blocked');
      }
    }
    return refusals;
  };

  const evaluate = async (input: GateInput): Promise<GateResult> => {
    const { author, bypassRules = false } = input;
    const refused: Refusal[] = [];
    const skipped: Refusal[] = [];

    // A reply goes to the thread's members; in a group, only the sender is checked.
    const named: RecipientRef[] = input.reply
      ? input.reply.isGroup
        ? []
        : input.reply.memberIds.map(user)
      : input.recipients;

    const senderCodes = bypassRules ? [] : await senderRefusals(author);
    if (input.reply?.isGroup && senderCodes.length > 0) {
      return { allowed: [], refused: senderCodes.map((code) => refusal(user(author.id), code)), skipped };
    }

    const namedUsers = [...new Set(named.filter((r) => r.type === 'user').map((r) => r.id))];
    const roles = [...new Set(named.filter((r) => r.type === 'role').map((r) => r.id))];
    const candidates = new Set<number>(input.reply?.isGroup ? input.reply.memberIds : []);

    const perUser = await userRefusals(author, namedUsers, bypassRules);
    for (const id of namedUsers) {
      const codes = [...senderCodes, ...(perUser.get(id) ?? [])];
      codes.forEach((code) => refused.push(refusal(user(id), code)));
      if (codes.length === 0) candidates.add(id);
    }

    if (roles.length > 0) {
      const [found, allowedToRoles] = await Promise.all([
        people().findRoles(roles),
        bypassRules ? Promise.resolve(true) : canWriteToRoles(author),
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
      const members = new Set((await people().roleMemberIds(expandable)).filter((m) => m !== author.id));
      const fromRoles = [...members].filter((id) => !candidates.has(id) && !namedUsers.includes(id));
      const roleRefusals = await userRefusals(author, fromRoles, bypassRules);
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
        context: input.reply ? { threadId: input.reply.threadId } : {},
      });
      for (const r of guardRefusals) {
        candidates.delete(r.recipient.id);
        (namedUsers.includes(r.recipient.id) || input.reply ? refused : skipped).push(r);
      }
    }

    return { allowed: [...candidates], refused, skipped };
  };

  return {
    evaluate,

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
      throw new errors.RateLimitError(`You can send at most ${rateLimit.max} messages every ${rateLimit.windowSeconds} seconds`, {
        code: 'rate_limited',
        retryAfter,
      });
    },

    canWriteToRoles,
  };
};

export default sendGateService;
