/*
 * React bindings of the client (`<client package>/react`; React 18 or 19, an optional peer of the
 * package): a provider with one shared live connection, and hooks that load, stay live and tell
 * their loading and error states.
 */
export { PrivateMessagesProvider, usePrivateMessages, useLiveStatus, type PrivateMessagesProviderProps } from './provider';
export { useInbox, useThread, useUnreadCount, useSend, type Folder, type InboxOptions, type ThreadOptions } from './hooks';
export type { LiveStatus, LiveEvent } from './live';
