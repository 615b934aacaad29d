import type { Core } from '@strapi/strapi';
import { EVENTS } from '../events';
import * as blocksRepo from '../repositories/blocks';
import { forbidden, notFound, validationError } from '../utils/errors';
import { getService } from '../utils/get-service';
import type { Actor } from './people';

/**
 * Blocking: a blocked user cannot start a thread with the blocker nor reply to them in a 1:1
 * thread (send-gate), and the blocker no longer receives their messages in groups (memberships).
 */
const blocksService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;

  const list = async (actor: Actor) => {
    const blocked = await blocksRepo.listBlockedBy(knex(), actor.id);
    const summaries = await getService('people').summaries(blocked.map((b) => b.userId));
    return blocked.map((b) => ({ ...summaries.get(b.userId)!, blockedAt: b.blockedAt }));
  };

  return {
    list,

    async block(actor: Actor, userId: number) {
      if (userId === actor.id) {
        throw validationError('You cannot block yourself', [{ path: ['userId'], message: 'is yourself' }]);
      }
      const target = (await getService('people').findUsers([userId], { withRole: true })).get(userId);
      if (!target) throw notFound('User');
      const { unblockableRoles } = await getService('settings').get();
      if (target.roleId !== null && unblockableRoles.includes(target.roleId)) {
        throw forbidden('This user cannot be blocked', { code: 'unblockable' });
      }
      const created = await blocksRepo.insertBlock(knex(), actor.id, userId, new Date());
      if (created) strapi.eventHub.emit(EVENTS.userBlocked, { blockerId: actor.id, blockedId: userId });
      const [summary] = (await list(actor)).filter((b) => b.id === userId);
      return summary;
    },

    async unblock(actor: Actor, userId: number) {
      if (await blocksRepo.deleteBlock(knex(), actor.id, userId)) {
        strapi.eventHub.emit(EVENTS.userUnblocked, { blockerId: actor.id, blockedId: userId });
      }
    },
  };
};

export default blocksService;
