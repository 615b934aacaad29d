import type { FormatName } from '../config/defaults';
import { AUDIENCE_DIRECT, AUDIENCE_LISTED, type Audience } from '../repositories/visibility';
import type { IndexRow, SourceMessage, TagRow } from './reader';
import type { LossyCounts } from './report';

/*
 * One privatemsg thread, as our model holds it (pure: no database). privatemsg keeps one pm_index
 * row per message and recipient, with `is_new` and `deleted` (a timestamp) on each; we keep one
 * membership per thread and user, with watermarks. The mapping, and where it cannot be exact:
 *   - the messages a member sees start after `visibleAfterMid` (the message before the member's
 *     first live row: a removed-then-revived thread shows only what came after); deleting single
 *     messages in the middle cannot be kept (partialDeletions);
 *   - every row deleted: the thread was removed (removedAt = the newest deletion, out of the inbox);
 *   - the unread count is exactly the number of live is_new rows; the read watermark sits before
 *     the first of them (unreadNotContiguous when read ones follow it);
 *   - the Inbox tag is inbox membership (archived threads stay out), except threads the member
 *     only sent, which privatemsg lists under "Sent";
 *   - a thread whose first message went to a role is a broadcast: users reached only through
 *     `hidden` rows are hidden members, and each message's audience follows who had rows for it;
 *   - a message in the part of the thread a member sees that privatemsg never delivered to them
 *     (no row: pm_block_user stopped it) stays undelivered (`undeliveredMids`, written as block
 *     periods of its author), unless it has no author to hold it against (shownUndelivered).
 */

export type MapContext = {
  /** The Strapi user of a Drupal uid, or undefined (unmatched). */
  userOf: (uid: number) => number | undefined;
  drupalUserExists: (uid: number) => boolean;
  unmatched: 'null' | 'skip';
  /** privatemsg_filter's hidden Inbox tag, or null when the module never ran (every live thread is in the inbox). */
  inboxTagId: number | null;
  render: (m: SourceMessage) => { body: string; format: FormatName; excerpt: string; knownFormat: boolean };
  /** Called once per row of a Drupal user with no Strapi user (for the report). */
  onUnmatched: (uid: number) => void;
  /** Called for role rows: the thread and the role id. */
  onRole: (rid: number, threadId: number) => void;
};

export type PlannedMessage = {
  mid: number;
  authorId: number | null;
  createdAt: Date;
  body: string;
  format: FormatName;
  excerpt: string;
  audience: Audience;
  audienceUserId: number | null;
};

export type PlannedMember = {
  userId: number;
  hidden: boolean;
  /** Messages up to this source mid are not shown to the member (0: none hidden). */
  visibleAfterMid: number;
  /** Every row deleted: the thread is removed for them, at this time. */
  removedAt: Date | null;
  firstUnreadMid: number | null;
  unreadCount: number;
  /** The source mids privatemsg has unread for them (a later run adds the new ones to our count). */
  unreadMids: number[];
  /** Source mids of others' messages after `visibleAfterMid`, for them by audience, that privatemsg never delivered to them. */
  undeliveredMids: number[];
  inInbox: boolean;
};

export type ThreadPlan = {
  sourceThreadId: number;
  subject: string;
  starterId: number | null;
  roleIds: number[];
  messages: PlannedMessage[];
  members: PlannedMember[];
  tags: { userId: number; tagId: number; name: string }[];
};

const bump = (counts: LossyCounts, key: keyof LossyCounts, n = 1) => {
  counts[key] = (counts[key] ?? 0) + n;
};

export const planThread = (
  threadId: number,
  sourceMessages: SourceMessage[],
  rows: IndexRow[],
  tagRows: TagRow[],
  ctx: MapContext,
  lossy: LossyCounts
): ThreadPlan | null => {
  const byMid = new Map(sourceMessages.map((m) => [m.mid, m]));
  // Messages kept, with their author.
  const kept: { m: SourceMessage; authorId: number | null }[] = [];
  for (const m of [...sourceMessages].sort((a, b) => a.mid - b.mid)) {
    if (m.author === 0 || !ctx.drupalUserExists(m.author)) {
      bump(lossy, 'deletedAuthorMessages');
      kept.push({ m, authorId: null });
      continue;
    }
    const authorId = ctx.userOf(m.author);
    if (authorId === undefined) {
      ctx.onUnmatched(m.author);
      bump(lossy, 'unmatchedAuthorMessages');
      if (ctx.unmatched === 'skip') {
        bump(lossy, 'skippedMessages');
        continue;
      }
    }
    kept.push({ m, authorId: authorId ?? null });
  }
  if (kept.length === 0) return null;
  const keptMids = kept.map((k) => k.m.mid);
  const keptSet = new Set(keptMids);
  const authorOf = new Map(kept.map((k) => [k.m.mid, k.authorId]));

  // Rows per member (Strapi user), deduplicated per message; role rows only name the role.
  const roleIds = new Set<number>();
  const roleMids = new Set<number>();
  const memberRows = new Map<number, Map<number, IndexRow & { hiddenOnly: boolean }>>();
  for (const row of rows) {
    if (!byMid.has(row.mid)) {
      bump(lossy, 'orphanIndexRows');
      continue;
    }
    if (row.type === 'role') {
      bump(lossy, 'roleRows');
      if (!roleIds.has(row.recipient)) ctx.onRole(row.recipient, threadId);
      roleIds.add(row.recipient);
      roleMids.add(row.mid);
      continue;
    }
    if (row.type !== 'user' && row.type !== 'hidden') continue;
    if (!ctx.drupalUserExists(row.recipient)) {
      bump(lossy, 'orphanRecipientRows');
      continue;
    }
    const userId = ctx.userOf(row.recipient);
    if (userId === undefined) {
      ctx.onUnmatched(row.recipient);
      bump(lossy, 'unmatchedRecipientRows');
      continue;
    }
    if (!keptSet.has(row.mid)) continue;
    const own = memberRows.get(userId) ?? new Map();
    memberRows.set(userId, own);
    const previous = own.get(row.mid);
    if (previous) {
      bump(lossy, 'duplicateIndexRows');
      // A live row wins over a deleted one, unread over read, a user row over a hidden one.
      previous.deleted = Math.min(previous.deleted, row.deleted);
      previous.isNew = previous.isNew || row.isNew;
      previous.hiddenOnly = previous.hiddenOnly && row.type === 'hidden';
    } else {
      own.set(row.mid, { ...row, hiddenOnly: row.type === 'hidden' });
    }
  }

  const first = byMid.get(threadId) ?? kept[0].m;
  const starterId = authorOf.get(first.mid) ?? kept[0].authorId;
  // A broadcast in our model is started by one author to roles: the role must be on the first message.
  const broadcast = roleIds.size > 0 && roleMids.has(first.mid) && starterId !== null;
  if (roleIds.size > 0 && !broadcast) bump(lossy, 'roleThreadsFlattened');

  const lastMid = keptMids[keptMids.length - 1];
  const previousMid = (mid: number) => {
    let before = 0;
    for (const k of keptMids) if (k < mid) before = k;
    return before;
  };
  const inboxTagged = new Set(tagRows.filter((t) => t.tagId === ctx.inboxTagId).map((t) => ctx.userOf(t.uid)));

  const members: PlannedMember[] = [];
  for (const [userId, own] of memberRows) {
    const all = [...own.values()].sort((a, b) => a.mid - b.mid);
    const live = all.filter((r) => r.deleted === 0);
    const hidden = broadcast && userId !== starterId && all.every((r) => r.hiddenOnly);
    if (live.length === 0) {
      const removedAt = new Date(Math.max(...all.map((r) => r.deleted)) * 1000);
      members.push({ userId, hidden, visibleAfterMid: lastMid, removedAt, firstUnreadMid: null, unreadCount: 0, unreadMids: [], undeliveredMids: [], inInbox: false });
      continue;
    }
    const firstLive = live[0].mid;
    bump(lossy, 'partialDeletions', all.filter((r) => r.deleted > 0 && r.mid > firstLive).length);
    const unread = live.filter((r) => r.isNew);
    const firstUnreadMid = unread.length > 0 ? unread[0].mid : null;
    if (firstUnreadMid !== null && live.some((r) => r.mid > firstUnreadMid && !r.isNew)) bump(lossy, 'unreadNotContiguous');
    bump(lossy, 'ownMessagesUnread', unread.filter((r) => authorOf.get(r.mid) === userId).length);
    const onlySent = live.every((r) => authorOf.get(r.mid) === userId);
    members.push({
      userId,
      hidden,
      visibleAfterMid: previousMid(firstLive),
      removedAt: null,
      firstUnreadMid,
      unreadCount: unread.length,
      unreadMids: unread.map((r) => r.mid),
      undeliveredMids: [],
      inInbox: ctx.inboxTagId === null || inboxTagged.has(userId) || onlySent,
    });
  }

  // Each message's audience: everyone, unless hidden members who could see it had no row for it.
  const hiddenMembers = members.filter((mb) => mb.hidden);
  const messages: PlannedMessage[] = kept.map(({ m, authorId }) => {
    let audience: Audience = null;
    let audienceUserId: number | null = null;
    const others = hiddenMembers.filter((mb) => mb.userId !== authorId && mb.visibleAfterMid < m.mid);
    const reached = others.filter((mb) => memberRows.get(mb.userId)?.has(m.mid));
    if (reached.length < others.length) {
      const authorHidden = hiddenMembers.some((mb) => mb.userId === authorId);
      if (reached.length === 0 && authorHidden) {
        audience = AUDIENCE_DIRECT;
        audienceUserId = starterId;
      } else if (reached.length === 0) {
        audience = AUDIENCE_LISTED;
      } else {
        bump(lossy, 'audienceWidened');
      }
    }
    const rendered = ctx.render(m);
    if (!rendered.knownFormat) bump(lossy, 'unknownFormats');
    if (m.hasTokens) bump(lossy, 'tokenMessages');
    return { mid: m.mid, authorId, createdAt: new Date(m.timestamp * 1000), body: rendered.body, format: rendered.format, excerpt: rendered.excerpt, audience, audienceUserId };
  });

  // Messages in the part of the thread a member sees that privatemsg never delivered to them.
  for (const mb of members) {
    if (mb.removedAt) continue;
    const own = memberRows.get(mb.userId)!;
    for (const msg of messages) {
      if (msg.mid <= mb.visibleAfterMid || own.has(msg.mid) || msg.authorId === mb.userId) continue;
      const sees = msg.audience === null || (msg.audience === AUDIENCE_LISTED && !mb.hidden) || (msg.audience === AUDIENCE_DIRECT && msg.audienceUserId === mb.userId);
      if (!sees) continue;
      if (msg.authorId === null) bump(lossy, 'shownUndelivered');
      else mb.undeliveredMids.push(msg.mid);
    }
  }

  const memberIds = new Set(members.map((mb) => mb.userId));
  const tags: ThreadPlan['tags'] = [];
  for (const t of tagRows) {
    if (t.hidden || t.tagId === ctx.inboxTagId) continue;
    const userId = ctx.userOf(t.uid);
    if (userId !== undefined && memberIds.has(userId)) tags.push({ userId, tagId: t.tagId, name: t.tag });
  }

  return { sourceThreadId: threadId, subject: (first.subject ?? '').slice(0, 255), starterId, roleIds: [...roleIds], messages, members, tags };
};
