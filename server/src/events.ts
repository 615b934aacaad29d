/**
 * Every event the plugin emits on `strapi.eventHub`, in one place (docs/api.md, *Programmatic API*).
 * Each is emitted by the service that made the change, after its transaction commits.
 */
export const EVENTS = {
  threadCreated: 'private-messages.thread.created',
  threadLeft: 'private-messages.thread.left',
  /** `{userId, threadIds, change}`: a user's read state, tags or inbox place of these threads changed (change: read, unread, removed, archived, unarchived, tags). */
  threadsUpdated: 'private-messages.threads.updated',
  messageCreated: 'private-messages.message.created',
  /** A reply to a thread of more than 100 members reached them (the outbox worker delivers those after the reply commits). */
  messageDelivered: 'private-messages.message.delivered',
  messageDeleted: 'private-messages.message.deleted',
  messageReported: 'private-messages.message.reported',
  userBlocked: 'private-messages.user.blocked',
  userUnblocked: 'private-messages.user.unblocked',
  userSuspended: 'private-messages.user.suspended',
  userUnsuspended: 'private-messages.user.unsuspended',
  /** `{userId, mode}`: the user's messaging data was erased (their account deleted, or an admin's erase); their streams end. */
  userErased: 'private-messages.user.erased',
  /** `{adminId, reportId, attachmentId, messageId, threadId, authorId}`: a moderator opened a reported message's file (the audit trail's `attachment.view`). */
  attachmentViewed: 'private-messages.attachment.viewed',
} as const;

/** What the stream reads of the events it listens to (the emitters may add more). */
export type StreamEventPayloads = {
  [EVENTS.messageCreated]: { messageId: string; threadId: string; authorId: number };
  [EVENTS.messageDelivered]: { messageId: string; threadId: string };
  [EVENTS.messageDeleted]: { messageId: string; threadId?: string; authorId: number };
  [EVENTS.threadsUpdated]: { userId: number; threadIds: string[] };
  [EVENTS.threadLeft]: { userId: number; threadId: string };
  [EVENTS.userSuspended]: { userId: number };
  [EVENTS.userErased]: { userId: number; mode?: string };
};
