import { TABLES } from './db';

/*
 * What a member may see of a thread: the one definition. Every statement that shows, counts,
 * delivers, streams or emails a message to a member uses `seenBy`, and every answer that lists a
 * thread's members uses `memberSees`; the plain rules below them decide what a member is (hidden
 * or not) and whom a reply is for.
 *
 * A member sees a message of their thread when all of these hold:
 *   - it came after their removal watermark (visible_after_message_id: removing a thread hides
 *     what came before, and a later message brings the thread back with only what follows);
 *   - its audience includes them (broadcasts, below);
 *   - it was not written while they had blocked its author (block periods, below). This is for
 *     good: lifting the block shows what comes next, never what was held back (privatemsg never
 *     delivers it either: no pm_index row).
 *
 * Broadcasts (messages to roles). A user reached only through a role is a *hidden* member
 * (membership.hidden): the thread, as they see it, is a conversation between its author (the
 * thread's starter) and themselves. A message carries its audience:
 *   - null:      every member (new threads, the starter's replies, threads without hidden members);
 *   - 'listed':  the members who are not hidden (a listed user's reply in a thread that mixes users
 *                and roles);
 *   - 'direct':  its author and `audience_user_id` only (a hidden member's reply, to the starter).
 *
 * Block periods (pm_blocks). Each row is a period during which `blocker` had blocked `blocked`,
 * in message ids: it covers the messages with `after_message_id < id <= through_message_id`
 * (no end while the block lasts). Ids, not times: a block (services/blocks) takes the blocked
 * user's row lock, the lock every send of theirs takes first, and reads the last message id under
 * it, so each of their messages falls wholly before or wholly after the period's edge, and a
 * delivery that counted a message never disagrees with this rule later. "Blocked now" is a period
 * with no end (`blockedNow`). The importer records privatemsg's undelivered messages as periods
 * covering just them.
 */

export const AUDIENCE_LISTED = 'listed';
export const AUDIENCE_DIRECT = 'direct';
export type Audience = null | typeof AUDIENCE_LISTED | typeof AUDIENCE_DIRECT;

/**
 * SQL expressions for a member: their user id, their hidden flag, their removal watermark and their
 * message-request state (columns, or inlined constants).
 */
export type MemberExpr = { userId: string; hidden: string; visibleAfter: string; requestState: string };

/** The member of a memberships row aliased `alias`. */
export const memberOf = (alias: string): MemberExpr => ({
  userId: `${alias}.user_id`,
  hidden: `${alias}.hidden`,
  visibleAfter: `${alias}.visible_after_message_id`,
  requestState: `${alias}.request_state`,
});

const sqlInt = (value: number) => {
  if (!Number.isSafeInteger(value)) throw new Error(`Not an integer id: ${value}`);
  return String(value);
};

/** A known member, inlined (ids we read from the database, checked). */
export const knownMember = (member: { userId: number; hidden: boolean; visibleAfterMessageId: number; requestState?: string | null }): MemberExpr => ({
  userId: sqlInt(member.userId),
  hidden: member.hidden ? 'true' : 'false',
  visibleAfter: sqlInt(member.visibleAfterMessageId),
  requestState: member.requestState === DECLINED_REQUEST ? `'${DECLINED_REQUEST}'` : 'null',
});

/** The request state of a member who declined a message request (repositories/message-requests.ts). */
export const DECLINED_REQUEST = 'declined';

const notHidden = (hidden: string) => `coalesce(${hidden}, false) = false`;

/** SQL condition on a pm_blocks row aliased `b`: the period has not ended (the block is on now). */
export const isOpenPeriod = (b: string) => `${b}.through_message_id is null`;

/** SQL condition: `blocker` has blocked `blocked` now (the outbox's and the send gate's question). */
export const blockedNow = (blocker: string, blocked: string) =>
  `exists (select 1 from ${TABLES.blocks} bn where bn.blocker_id = ${blocker} and bn.blocked_id = ${blocked} and ${isOpenPeriod('bn')})`;

/** SQL condition: message `m` was written while `userId` had blocked its author. */
const writtenWhileBlocked = (m: string, userId: string) =>
  `exists (select 1 from ${TABLES.blocks} vb
           where vb.blocker_id = ${userId} and vb.blocked_id = ${m}.author_id
             and vb.after_message_id < ${m}.id and (vb.through_message_id is null or vb.through_message_id >= ${m}.id))`;

/**
 * SQL condition: the message aliased `m` (of the member's thread: callers join on thread_id) is
 * one `member` sees: after their removal watermark, for them in a broadcast, and not written while
 * they had blocked its author. A member who declined a message request sees nothing more of that
 * thread (the decline moved their watermark, and what follows is not theirs either). The block check is a range of the unique (blocker_id, blocked_id,
 * after_message_id) index: a pair's few periods.
 */
export const seenBy = (m: string, member: MemberExpr) => `(
  ${m}.id > ${member.visibleAfter}
  and coalesce(${member.requestState}, '') <> '${DECLINED_REQUEST}'
  and (${m}.audience is null
    or (${m}.audience = '${AUDIENCE_LISTED}' and ${notHidden(member.hidden)})
    or (${m}.audience = '${AUDIENCE_DIRECT}' and (${member.userId} = ${m}.author_id or ${member.userId} = ${m}.audience_user_id)))
  and not ${writtenWhileBlocked(m, member.userId)})`;

/**
 * SQL condition: the member of memberships row `other` is shown to the member of row `viewer`, in
 * thread `t` (a threads alias with `starter_id`). Everyone sees the starter and themselves; the
 * starter sees everyone; members who are not hidden see each other; hidden members see nobody else.
 */
export const memberSees = (viewer: string, other: string, t: string) => `(
  ${other}.user_id = ${viewer}.user_id or ${other}.user_id = ${t}.starter_id or ${viewer}.user_id = ${t}.starter_id
  or (${notHidden(`${viewer}.hidden`)} and ${notHidden(`${other}.hidden`)}))`;

/**
 * The audience of a reply by a member: the starter writes to everyone; in a thread with hidden
 * members, a hidden member writes to the starter only, anyone else to the members who are not
 * hidden.
 */
export const replyAudience = (
  thread: { starterId: number | null; hasHiddenMembers: boolean },
  member: { userId: number; hidden: boolean }
): { audience: Audience; audienceUserId: number | null } => {
  if (!thread.hasHiddenMembers || member.userId === thread.starterId) return { audience: null, audienceUserId: null };
  if (member.hidden) return { audience: AUDIENCE_DIRECT, audienceUserId: thread.starterId };
  return { audience: AUDIENCE_LISTED, audienceUserId: null };
};

/**
 * Which memberships a message can reach, as a narrowing of a memberships query (an index-friendly
 * superset of `seenBy`, which still applies): a direct message only its author's and addressee's,
 * a listed one only the members who are not hidden.
 */
export const narrowToAudience = <Q extends { whereIn: Function; where: Function }>(
  q: Q,
  column: (name: string) => string,
  message: { audience: Audience; audienceUserId: number | null; authorId: number | null }
): Q => {
  if (message.audience === AUDIENCE_DIRECT) {
    return q.whereIn(column('user_id'), [message.authorId ?? 0, message.audienceUserId ?? 0]) as Q;
  }
  if (message.audience === AUDIENCE_LISTED) {
    return q.where((w: any) => w.whereNull(column('hidden')).orWhere(column('hidden'), false)) as Q;
  }
  return q;
};

/** How many members a message reaches at most (to decide whether it is delivered inside the reply). */
export const audienceSize = (
  thread: { memberCount: number; listedMemberCount: number },
  message: { audience: Audience }
) => (message.audience === AUDIENCE_DIRECT ? 2 : message.audience === AUDIENCE_LISTED ? thread.listedMemberCount : thread.memberCount);

/**
 * What a member sees of the thread's members: everyone (the starter, and everyone in a thread
 * without hidden members), the members who are not hidden (listed users), or the starter and
 * themselves (hidden members). `count` is the number shown as participantCount; isGroup follows it.
 */
export const membersShown = (
  thread: { starterId: number | null; memberCount: number; listedMemberCount: number; hasHiddenMembers: boolean },
  member: { userId: number; hidden: boolean }
): { scope: 'all' | 'listed' | 'starter'; count: number } => {
  if (!thread.hasHiddenMembers || member.userId === thread.starterId) return { scope: 'all', count: thread.memberCount };
  if (member.hidden) return { scope: 'starter', count: thread.starterId === null ? 1 : 2 };
  return { scope: 'listed', count: thread.listedMemberCount };
};
