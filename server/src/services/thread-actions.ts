import type { Core } from '@strapi/strapi';
import { inTransaction } from '../utils/transaction';
import { errors } from '@strapi/utils';
import * as readStateRepo from '../repositories/membership-read-state';
import { EVENTS } from '../events';
import { getService } from '../utils/get-service';
import type { ThreadAction } from '../validation/tags';
import type { Actor } from './people';

/**
 * Bulk actions on the caller's threads (POST /threads/actions): one transaction, all or nothing.
 * The threads, then the caller's memberships of them, are locked first (the lock order of replies,
 * see repositories/dialect/locking.ts forUpdate); if any thread is not theirs (never was, or they left it)
 * the request is a 404 and nothing changes, and so is any tag not theirs.
 * Each action is then one set-based statement over all the threads, using read-state's rules
 * for markRead, markUnread, delete, archive and unarchive, and the tags service's for the tag actions.
 */
const threadActionsService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async apply(viewer: Actor, input: ThreadAction): Promise<{ updated: number }> {
    const threadIds = [...new Set(input.threadIds)];
    const readState = getService('read-state');
    const now = new Date();

    const updated = await inTransaction(strapi, async (trx) => {
      const memberships = await readStateRepo.lockActiveMemberships(trx, viewer.id, threadIds);
      if (memberships.length !== threadIds.length) {
        const found = new Set(memberships.map((m) => m.threadDocumentId));
        throw new errors.NotFoundError('Thread not found', { threadIds: threadIds.filter((id) => !found.has(id)) });
      }
      const ids = memberships.map((m) => m.id);

      switch (input.action) {
        case 'markRead':
          await readState.markReadIn(trx, viewer, ids);
          break;
        case 'markUnread':
          await readState.markUnreadIn(trx, viewer, ids);
          break;
        case 'delete':
          await readState.removeIn(trx, viewer, ids, now);
          break;
        case 'archive':
        case 'unarchive':
          await readState.archiveIn(trx, viewer, ids, input.action === 'archive', now);
          break;
        case 'addTags':
          await getService('tags').addIn(trx, viewer, ids, input.tagIds);
          break;
        case 'removeTags':
          await getService('tags').removeIn(trx, viewer, ids, input.tagIds);
          break;
      }
      return ids.length;
    });
    const change = { markRead: 'read', markUnread: 'unread', delete: 'removed', archive: 'archived', unarchive: 'unarchived', addTags: 'tags', removeTags: 'tags' }[input.action];
    strapi.eventHub.emit(EVENTS.threadsUpdated, { userId: viewer.id, threadIds, change });
    return { updated };
  },
});

export default threadActionsService;
