import { TABLES } from './db';

/*
 * What a member may see of a thread: the one definition, so that no route shows what another hides.
 * Every statement that shows, counts, delivers or emails a message to a member uses `seenBy`, and
 * every answer that lists a thread's members uses `memberSees`; the plain rules below them decide
 * what a member is (hidden or not) and whom a reply is for.
 *
 * Broadcasts (messages to roles). A user reached only through a role is a *hidden* member
 * (membership.hidden): the thread, as they see it, is a conversation between its author (the
 * thread's starter) and themselves. A message carries its audience:
 *   - null:      every member (new threads, the starter's replies, threads without hidden members);
 *   - 'listed':  the members who are not hidden (a listed user's reply in a thread that mixes users
 *                and roles);
 *   - 'direct':  its author and `audience_user_id` only (a hidden member's reply, to the starter).
 * Beyond the audience: a member does not see a message whose author they blocked before it was
 * written, nor (thread by thread, through visible_after_message_id) what came before they removed
 * the thread.
 */

export const AUDIENCE_LISTED = 'listed';
export const AUDIENCE_DIRECT = 'direct';
export type Audience = null | typeof AUDIENCE_LISTED | typeof AUDIENCE_DIRECT;

/** SQL expressions for a member: their user id and their hidden flag (columns, or inlined constants). */
export type MemberExpr = { userId: string; hidden: string };

/** The member of a memberships row aliased `alias`. */
export const memberOf = (alias: string): MemberExpr => ({ userId: `${alias}.user_id`, hidden: `${alias}.hidden` });

/** A known member, inlined (ids we read from the database, checked). */
export const knownMember = (userId: number, hidden: boolean): MemberExpr => {
  if (!Number.isSafeInteger(userId)) throw new Error(`Not an integer id: ${userId}`);
  return { userId: String(userId), hidden: hidden ? 'true' : 'false' };
};

const notHidden = (hidden: string) => `coalesce(${hidden}, false) = false`;

/**
 * SQL condition: the message aliased `m` is one `member` may see (its audience includes them, and
 * they did not block its author before it was written). The block check is a lookup of the unique
 * (blocker_id, blocked_id) index.
 */
export const seenBy = (m: string, member: MemberExpr) => `(
  (${m}.audience is null
    or (${m}.audience = '${AUDIENCE_LISTED}' and ${notHidden(member.hidden)})
    or (${m}.audience = '${AUDIENCE_DIRECT}' and (${member.userId} = ${m}.author_id or ${member.userId} = ${m}.audience_user_id)))
  and not exists (select 1 from ${TABLES.blocks} vb
                   where vb.blocker_id = ${member.userId} and vb.blocked_id = ${m}.author_id and vb.created_at <= ${m}.created_at))`;

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
