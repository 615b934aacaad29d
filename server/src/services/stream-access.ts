import type { Core } from '@strapi/strapi';
import * as streamRepo from '../repositories/stream';
import { suspendedAmong } from '../repositories/suspensions';
import { createUsersRepository } from '../repositories/users';

/** The users-permissions action that lets a role open the stream. */
export const STREAM_ACTION = 'plugin::private-messages.stream.connect';

/** users-permissions' "email confirmation" setting: when on, an unconfirmed account is no one. */
export const emailConfirmationRequired = async (strapi: Core.Strapi) => {
  const advanced = (await strapi.store({ type: 'plugin', name: 'users-permissions' }).get({ key: 'advanced' })) as { email_confirmation?: boolean } | null;
  return advanced?.email_confirmation === true;
};

/**
 * Who may still listen: not deleted, not blocked by the site, not unconfirmed while
 * users-permissions requires email confirmation (its own rule for a JWT), not suspended by a
 * moderator, and with a role that holds the stream action. Set-based reads for all of them.
 */
export const createStreamAccess = (strapi: Core.Strapi) => {
  const knex = () => strapi.db.connection;
  const users = createUsersRepository(strapi);
  return {
    /** Those of `userIds` who may no longer listen. */
    async revokedAmong(userIds: number[]): Promise<number[]> {
      if (userIds.length === 0) return [];
      const found = await users.findForRules(userIds, true);
      const roles = await users.roleActions([...found.values()].map((u) => u.roleId), [STREAM_ACTION]);
      const suspended = await suspendedAmong(knex(), userIds);
      const unconfirmed = (await emailConfirmationRequired(strapi))
        ? await streamRepo.unconfirmedAmong(knex(), strapi.db.metadata.get('plugin::users-permissions.user').tableName, userIds)
        : new Set<number>();
      return userIds.filter((id) => {
        const user = found.get(id);
        return !user || user.blocked || unconfirmed.has(id) || suspended.has(id) || user.roleId === null || !roles.get(user.roleId)?.has(STREAM_ACTION);
      });
    },

    /** Suspended by a moderator now: such a user opens no stream (EventSource would come back with the same ticket). */
    async isSuspended(userId: number) {
      return (await suspendedAmong(knex(), [userId])).has(userId);
    },
  };
};
