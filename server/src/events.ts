/**
 * Every event the plugin emits on `strapi.eventHub`, in one place (docs/api.md, *Programmatic API*).
 * Each is emitted by the service that made the change, after its transaction commits.
 */
export const EVENTS = {
  threadCreated: 'private-messages.thread.created',
  threadLeft: 'private-messages.thread.left',
  messageCreated: 'private-messages.message.created',
  messageDeleted: 'private-messages.message.deleted',
  messageReported: 'private-messages.message.reported',
  userBlocked: 'private-messages.user.blocked',
  userUnblocked: 'private-messages.user.unblocked',
  userSuspended: 'private-messages.user.suspended',
  userUnsuspended: 'private-messages.user.unsuspended',
} as const;
