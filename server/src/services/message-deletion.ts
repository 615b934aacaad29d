import type { Core } from '@strapi/strapi';
import * as messagesRepo from '../repositories/messages';
import type { MessageRow } from '../repositories/messages';
import * as threadsRepo from '../repositories/threads';
import { refreshSent } from '../repositories/membership-folders';
import type { Db } from '../repositories/db';
import { EVENTS } from '../events';

/*
 * Deleting a message, the two steps messaging's deletions share (messaging is the only writer of
 * threads and messages): an author deleting their own message (messaging.deleteOwnMessage) and a
 * moderator resolving a report (moderation calls messaging.deleteMessageIn and announceDeleted).
 */

/** Who deleted a message: its author, or a moderator (an admin user id) resolving a report. */
export type Deleter = { userId: number } | { moderatorId: number };

/**
 * Soft-deletes the message inside the caller's transaction: others see a placeholder, and the body
 * stays until the purge removes it, for roles allowed to view deleted messages. The thread leaves
 * its author's Sent list with their last message there (membership-folders). Answers whether this
 * call deleted it (false: it was deleted already).
 */
export const deleteMessageIn = async (trx: Db, message: MessageRow, now: Date) => {
  const deleted = Number(await messagesRepo.softDeleteMessage(trx, message.id, now)) > 0;
  if (message.authorId !== null) await refreshSent(trx, message.threadId, message.authorId);
  return deleted;
};

/** `messageDeleted`, emitted once the deletion has committed; a moderator's carries `byModerator`. */
export const announceDeleted = async (strapi: Core.Strapi, message: MessageRow, by: Deleter) => {
  const thread = await threadsRepo.findThreadById(strapi.db.connection, message.threadId);
  strapi.eventHub.emit(EVENTS.messageDeleted, {
    threadId: thread?.documentId,
    messageId: message.documentId,
    authorId: message.authorId,
    ...('moderatorId' in by ? { byModerator: by.moderatorId } : {}),
  });
};
