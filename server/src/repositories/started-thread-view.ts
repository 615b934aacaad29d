import type { MemberView } from './memberships';
import type { MessageRow } from './messages';
import type { ThreadRow } from './threads';

/**
 * The starter's view of a thread createThreadWithMessage just wrote, as findActiveMembership would
 * read it back: their membership as written there (the message read, nothing unread). The
 * membership's id is not read back (0): it only keys tags, and a new thread has none.
 */
export const startedThreadView = (thread: ThreadRow, message: MessageRow, authorId: number): MemberView => ({
  thread,
  membership: {
    id: 0,
    threadId: thread.id,
    userId: authorId,
    inInbox: true,
    archived: false,
    lastActivityAt: message.createdAt,
    lastReadMessageId: message.id,
    unreadCount: 0,
    messageCount: 1,
    visibleAfterMessageId: 0,
    removedAt: null,
    leftAt: null,
    hidden: false,
    requestState: null,
  },
  lastMessage: {
    id: message.id,
    documentId: message.documentId,
    threadId: thread.id,
    authorId: message.authorId,
    excerpt: message.excerpt,
    deletedAt: null,
    createdAt: message.createdAt,
  },
  lastMessageHidden: false,
});
