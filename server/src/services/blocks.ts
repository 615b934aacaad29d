import type { Core } from '@strapi/strapi';
import { EVENTS } from '../events';
import * as blocksRepo from '../repositories/blocks';
import { lockUserRow } from '../repositories/preferences';
import { forbidden, notFound, validationError } from '../utils/errors';
import { getService } from '../utils/get-service';
import { inTransaction } from '../utils/transaction';
import type { Actor } from './people';
import type { Db } from '../repositories/db';

/**
 * Blocking: a blocked user cannot start a thread with the blocker nor reply to them in a 1:1
 * thread (send-gate), and what they write in groups while blocked never reaches the blocker, also
 * once the block is lifted (repositories/visibility: block periods).
 */
const blocksService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;

  const list = async (actor: Actor) => {
    const blocked = await blocksRepo.listBlockedBy(knex(), actor.id);
    const summaries = await getService('people').summaries(blocked.map((b) => b.userId));
    return blocked.map((b) => ({ ...summaries.get(b.userId)!, blockedAt: b.blockedAt }));
  };

  /**
   * Starts or ends a block period under the blocked user's row lock, the first lock each of their
   * sends takes: a send in flight commits (and is delivered) before the period's edge is read, and
   * the next one waits for the change and then sees it.
   */
  const changeBlock = (blockedId: number, change: (trx: Db, now: Date) => Promise<boolean>) =>
    inTransaction(strapi, async (trx) => {
      const now = new Date();
      await lockUserRow(trx, blockedId, now);
      return change(trx, now);
    });

  return {
    list,

    /** Refuses (404, 403 `unblockable`, 400 for oneself) a block `actor` may not place, before anything changes. */
    async assertBlockable(actor: Actor, userId: number) {
      if (userId === actor.id) {
        throw validationError('You cannot block yourself', [{ path: ['userId'], message: 'is yourself' }]);
      }
      const target = (await getService('people').findUsers([userId], { withRole: true })).get(userId);
      if (!target) throw notFound('User');
      const { unblockableRoles } = await getService('settings').get();
      if (target.roleId !== null && unblockableRoles.includes(target.roleId)) {
        throw forbidden('This user cannot be blocked', { code: 'unblockable' });
      }
    },

    async block(actor: Actor, userId: number) {
      await this.assertBlockable(actor, userId);
      const created = await changeBlock(userId, (trx, now) => blocksRepo.startBlock(trx, actor.id, userId, now));
      if (created) strapi.eventHub.emit(EVENTS.userBlocked, { blockerId: actor.id, blockedId: userId });
      const [summary] = (await list(actor)).filter((b) => b.id === userId);
      return summary;
    },

    async unblock(actor: Actor, userId: number) {
      if (await changeBlock(userId, (trx, now) => blocksRepo.endBlock(trx, actor.id, userId, now))) {
        strapi.eventHub.emit(EVENTS.userUnblocked, { blockerId: actor.id, blockedId: userId });
      }
    },
  };
};

export default blocksService;
