import type { Core } from '@strapi/strapi';
import { inTransaction } from '../utils/transaction';
import { EVENTS } from '../events';
import * as membershipsRepo from '../repositories/memberships';
import * as deliveryRepo from '../repositories/membership-delivery';
import * as readStateRepo from '../repositories/membership-read-state';
import * as unreadRepo from '../repositories/unread-counts';
import { setArchivedMany } from '../repositories/membership-folders';
import * as threadsRepo from '../repositories/threads';
import { notFound, validationError } from '../utils/errors';
import { getService } from '../utils/get-service';
import type { Actor } from './people';

/**
 * What counts as unread, and every change to it. A member's read state is a watermark
 * (`last_read_message_id`: messages above it, by others, are new) plus `unread_count`, the
 * number of such messages among those delivered to the member (`delivered_message_id`, see
 * membership-delivery.deliveryChanges), kept exact by each statement that moves either.
 *
 * Each change takes the thread row's lock, then the membership's (the plugin's lock order, see
 * dialect.forUpdate): a concurrent send, which takes them in that order too, is wholly before or
 * after. Locking the membership alone deadlocked on PostgreSQL against a reply: updating the row
 * again made its foreign-key check wait for a share lock on the thread, held by the reply, itself
 * waiting for the membership. A reply to a big thread reaches them later, through deliveries that count only
 * what was not delivered yet; the changes below catch up first and never count past the mark.
 */
const readStateService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;

  const withMembership = async <T>(
    viewer: Actor,
    threadDocumentId: string,
    change: (trx: any, view: membershipsRepo.MemberView) => Promise<T>
  ) => {
    const view = await membershipsRepo.findActiveMembership(knex(), viewer.id, threadDocumentId);
    if (!view) throw notFound('Thread');
    return inTransaction(strapi, async (trx) => {
      await threadsRepo.lockThread(trx, view.thread.id);
      await membershipsRepo.lockMembership(trx, view.membership.id);
      return change(trx, view);
    });
  };

  /*
   * The changes below, over many of the viewer's memberships at once, inside the caller's
   * transaction, each one set-based statement: the single-thread routes pass one membership,
   * POST /threads/actions up to a hundred. The caller has checked and locked the memberships
   * (withMembership, or readStateRepo.lockActiveMemberships).
   */

  /*
   * A message to a big thread may not have reached these memberships yet (the outbox worker
   * delivers it): count it first, so marking read or unread never leaves it to be counted again.
   */

  /** Marks the threads of these memberships read. Returns how many memberships changed. */
  const markReadIn = async (trx: any, _viewer: Actor, membershipIds: number[]): Promise<number> => {
    await deliveryRepo.catchUpMemberships(trx, membershipIds, new Date());
    return readStateRepo.markReadMany(trx, membershipIds);
  };

  /** Marks the newest message from someone else unread in each; returns how many had one. */
  const markUnreadIn = async (trx: any, viewer: Actor, membershipIds: number[]): Promise<number> => {
    await deliveryRepo.catchUpMemberships(trx, membershipIds, new Date());
    return readStateRepo.markNewestUnreadMany(trx, viewer.id, membershipIds);
  };

  /** After the change committed: the viewer's other tabs hear of it (the stream). */
  const changed = (viewer: Actor, threadDocumentId: string, change: 'read' | 'unread' | 'removed' | 'archived' | 'unarchived') =>
    strapi.eventHub.emit(EVENTS.threadsUpdated, { userId: viewer.id, threadIds: [threadDocumentId], change });

  /** Removes the threads of these memberships from the viewer's inbox. */
  const removeIn = (trx: any, _viewer: Actor, membershipIds: number[], now = new Date()): Promise<number> =>
    readStateRepo.removeFromInboxMany(trx, membershipIds, now);

  /**
   * Archives or unarchives the threads of these memberships. A message still on its way to them
   * is delivered first: written before the archiving, it must not bring the thread back after it.
   */
  const archiveIn = async (trx: any, _viewer: Actor, membershipIds: number[], archived: boolean, now = new Date()): Promise<number> => {
    await deliveryRepo.catchUpMemberships(trx, membershipIds, now);
    return setArchivedMany(trx, membershipIds, archived, now);
  };

  return {
    /**
     * Unread threads and messages over the inbox and the archive (removed threads have nothing
     * unread), and pending message requests with unread messages.
     */
    async unreadCount(viewer: Actor) {
      return unreadRepo.countUnread(knex(), viewer.id);
    },

    /** Moves the thread to the caller's archive (or back to the inbox); answers the thread as they now see it. */
    async setArchived(viewer: Actor, threadDocumentId: string, archived: boolean) {
      await withMembership(viewer, threadDocumentId, (trx, { membership }) => archiveIn(trx, viewer, [membership.id], archived));
      changed(viewer, threadDocumentId, archived ? 'archived' : 'unarchived');
      return getService('inbox').getThreadSummary(viewer, threadDocumentId);
    },

    /** Everything in the thread is read. */
    async markRead(viewer: Actor, threadDocumentId: string) {
      await withMembership(viewer, threadDocumentId, (trx, { membership }) => markReadIn(trx, viewer, [membership.id]));
      changed(viewer, threadDocumentId, 'read');
      return { unreadCount: 0 };
    },

    /** The newest message from someone else becomes unread again (and only it). */
    async markUnread(viewer: Actor, threadDocumentId: string) {
      const result = await withMembership(viewer, threadDocumentId, async (trx, { membership }) => ({
        unreadCount: (await markUnreadIn(trx, viewer, [membership.id])) > 0 ? 1 : 0,
      }));
      changed(viewer, threadDocumentId, 'unread');
      return result;
    },

    /**
     * Removes the thread from the caller's inbox. They stay a member: the next message brings the
     * thread back, showing only what came after the removal.
     */
    async remove(viewer: Actor, threadDocumentId: string) {
      await withMembership(viewer, threadDocumentId, (trx, { membership }) => removeIn(trx, viewer, [membership.id]));
      changed(viewer, threadDocumentId, 'removed');
    },

    markReadIn,
    markUnreadIn,
    removeIn,
    archiveIn,

    /**
     * Leaves a group thread: no longer a recipient, gone from the inbox, and the thread is no longer
     * theirs to read. Their departure changes the thread's participant preview.
     */
    async leave(viewer: Actor, threadDocumentId: string) {
      const now = new Date();
      const thread = await withMembership(
        viewer,
        threadDocumentId,
        async (trx, view) => {
          // A broadcast's recipient may leave it too, even when the role had them alone.
          if (!view.thread.isGroup && !view.membership.hidden) {
            throw validationError('Only group threads can be left', [{ path: ['id'], message: 'is a 1:1 thread' }]);
          }
          await membershipsRepo.updateMembership(trx, view.membership.id, {
            in_inbox: false,
            has_sent: false,
            left_at: now,
            unread_count: 0,
            updated_at: now,
          });
          // The preview lists the members everyone may see: a broadcast's hidden members are not among them.
          const members = await membershipsRepo.listMembers(
            trx,
            [{ ...view.thread, scope: view.thread.hasHiddenMembers ? { listedOnly: true } : undefined }],
            threadsRepo.PARTICIPANT_PREVIEW_SIZE
          );
          await threadsRepo.writeParticipantPreview(trx, view.thread.id, members);
          return view.thread;
        }
      );
      strapi.eventHub.emit(EVENTS.threadLeft, { threadId: thread.documentId, userId: viewer.id });
    },
  };
};

export default readStateService;
