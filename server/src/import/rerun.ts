/*
 * A later run that brings new Drupal messages into a thread imported before. By then the thread
 * may be in use on the Strapi side: its members read, archived, removed or left it here. What they
 * did here stays; the new messages arrive as a delivery would bring them (pure: no database).
 *   - A member the new messages do not reach (removed in Drupal, or nothing new after what they
 *     see), or who left the thread here, keeps their row as it is.
 *   - A member they reach sees what they saw plus the new messages: the visibility watermark is the
 *     later of the two, a thread removed here comes back (showing only what came after, as on a
 *     reply), it is in the inbox if it was, or if Drupal lists it there.
 *   - Their unread count grows by the new messages privatemsg has unread for them; the read
 *     watermark stays where they left it, or, with nothing unread before, sits before the first of
 *     those (or after the last new message when they read them all in Drupal).
 */

import type { MembershipState } from '../repositories/import-threads';

export type ArrivingMessages = {
  /** Our ids of the new messages this member sees, in order. */
  visible: number[];
  /** Our ids of those privatemsg has unread for them. */
  unread: number[];
};

export const mergeRerunMembership = (
  existing: MembershipState,
  planned: Omit<MembershipState, 'leftAt'>,
  arriving: ArrivingMessages
): Omit<MembershipState, 'leftAt'> => {
  const { leftAt: _left, ...kept } = existing;
  if (existing.leftAt !== null || planned.removedAt !== null || arriving.visible.length === 0) return kept;
  const unreadBefore = existing.removedAt !== null ? 0 : existing.unreadCount;
  let lastRead = existing.lastReadMessageId;
  if (unreadBefore === 0) lastRead = arriving.unread.length > 0 ? arriving.unread[0] - 1 : Math.max(lastRead, arriving.visible[arriving.visible.length - 1]);
  const inInbox = existing.removedAt !== null ? true : existing.inInbox || planned.inInbox;
  return {
    hidden: existing.hidden,
    inInbox,
    archived: !inInbox,
    visibleAfterMessageId: Math.max(existing.visibleAfterMessageId, planned.visibleAfterMessageId),
    lastReadMessageId: lastRead,
    unreadCount: unreadBefore + arriving.unread.length,
    removedAt: null,
  };
};
