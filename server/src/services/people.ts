import type { Core } from '@strapi/strapi';
import { createUsersRepository, type UserRecord } from '../repositories/users';
import { getService } from '../utils/get-service';

/** The users-permissions action that lets a role read the bodies of deleted messages. */
export const VIEW_DELETED_ACTION = 'plugin::private-messages.deleted-message.view';

export type UserSummary = { id: number; username: string | null; avatarUrl: string | null };

/** A user as the plugin sees them when they act: their id and their users-permissions role. */
export type Actor = { id: number; roleId: number | null };

/** Who users are to the plugin: summaries with avatars, autocomplete, and what a role may see. */
const peopleService = ({ strapi }: { strapi: Core.Strapi }) => {
  const users = createUsersRepository(strapi);

  const absolute = (url: string | null) => {
    if (!url || /^https?:\/\//i.test(url)) return url;
    const base = (strapi.config.get('server.url') as string | undefined) ?? '';
    return /^https?:\/\//i.test(base) ? `${base.replace(/\/$/, '')}${url}` : url;
  };

  const summarize = (id: number, u: UserRecord | undefined, defaultAvatarUrl: string | null): UserSummary => ({
    id,
    username: u?.username ?? null,
    avatarUrl: absolute(u?.avatar ?? null) ?? defaultAvatarUrl,
  });

  return {
    /** Summaries for a set of user ids in two queries at most, whatever their number. */
    async summaries(ids: number[]): Promise<Map<number, UserSummary>> {
      const settings = await getService('settings').get();
      const found = await users.findByIds(ids, settings.avatarField);
      return new Map(ids.map((id) => [id, summarize(id, found.get(id), settings.defaultAvatarUrl)]));
    },

    async findUsers(ids: number[]) {
      return users.findByIds(ids, null);
    },

    async search(q: string, callerId: number, limit: number): Promise<UserSummary[]> {
      const settings = await getService('settings').get();
      const found = await users.search(q, callerId, limit, settings.avatarField);
      return found.map((u) => summarize(u.id, u, settings.defaultAvatarUrl));
    },

    /** Resolves `{id}` or `{id, role}` (as users-permissions puts on ctx.state.user) to an Actor. */
    async actorOf(user: number | { id: number; role?: { id: number } | null }): Promise<Actor | null> {
      const id = typeof user === 'number' ? user : user?.id;
      if (!Number.isInteger(id)) return null;
      if (typeof user === 'object' && user.role?.id) return { id, roleId: user.role.id };
      const record = (await users.findByIds([id], null)).get(id);
      return record ? { id, roleId: record.roleId } : null;
    },

    canViewDeleted(actor: Actor) {
      return users.roleHasAction(actor.roleId, VIEW_DELETED_ACTION);
    },
  };
};

export default peopleService;
