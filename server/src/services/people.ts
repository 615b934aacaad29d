import type { Core } from '@strapi/strapi';
import { publicAvatarUrl } from '../config/urls';
import { createUsersRepository, type Actor, type UserRecord } from '../repositories/users';
import { getService } from '../utils/get-service';
import { CONTENT_API_ACTIONS } from '../permissions';


export type UserSummary = { id: number; username: string | null; avatarUrl: string | null };

export type { Actor };

/** Who users are to the plugin: summaries with avatars, autocomplete, and what a role may see. */
const peopleService = ({ strapi }: { strapi: Core.Strapi }) => {
  const users = createUsersRepository(strapi);

  // Only an http(s) URL goes out as an avatar; anything else (a script URL in a string field, a
  // relative upload path without server.url) gives the default avatar (config/urls.ts).
  const summarize = (id: number, u: UserRecord | undefined, defaultAvatarUrl: string | null): UserSummary => ({
    id,
    username: u?.username ?? null,
    avatarUrl: publicAvatarUrl(u?.avatar, strapi.config.get('server.url')) ?? defaultAvatarUrl,
  });

  return {
    /** Summaries for a set of user ids in two queries at most, whatever their number. */
    async summaries(ids: number[]): Promise<Map<number, UserSummary>> {
      const settings = await getService('settings').get();
      const found = await users.findByIds(ids, settings.avatarField);
      return new Map(ids.map((id) => [id, summarize(id, found.get(id), settings.defaultAvatarUrl)]));
    },

    /** Users for the rules (existence, blocked accounts; `withRole` for unblockable roles). */
    async findUsers(ids: number[], { withRole = false }: { withRole?: boolean } = {}) {
      return users.findForRules(ids, withRole);
    },

    findRoles: (ids: number[]) => users.findRoles(ids),
    roleMemberIds: (roleIds: number[]) => users.roleMemberIds(roleIds),

    /**
     * Autocomplete: users whose name matches and to whom a new thread would go through, as the
     * send gate decides (every rule, guards included: one definition of "who may I write to"),
     * and, for callers allowed to write to roles, roles. Twice `limit` users are looked at, so
     * that a few refused ones do not shorten the list.
     */
    async search(actor: Actor, q: string, limit: number) {
      const settings = await getService('settings').get();
      const found = await users.search(q, actor.id, limit * 2, settings.avatarField);
      const reachable = await getService('send-gate').reachable(actor, found.map((u) => u.id));
      const allowed = new Set(reachable.users);
      const people = found
        .filter((u) => allowed.has(u.id))
        .slice(0, limit)
        .map((u) => ({ type: 'user' as const, ...summarize(u.id, u, settings.defaultAvatarUrl) }));
      const roles = reachable.roles
        ? (await users.searchRoles(q, limit)).map((r) => ({ type: 'role' as const, id: r.id, name: r.name }))
        : [];
      return [...people, ...roles];
    },

    /** Roles the caller may write to (the route behind it is the "send to roles" permission). */
    async writableRoles(actor: Actor) {
      if (!(await getService('send-gate').canWriteToRoles(actor))) return [];
      return (await users.searchRoles('', 100)).map((r) => ({ id: r.id, name: r.name }));
    },

    /** Every users-permissions role, for the settings page's role pickers. */
    listRoles: () => users.listRoles(),

    /** Resolves `{id}` or `{id, role}` (as users-permissions puts on ctx.state.user) to an Actor. */
    async actorOf(user: number | { id: number; role?: { id: number } | null }): Promise<Actor | null> {
      const id = typeof user === 'number' ? user : user?.id;
      if (!Number.isInteger(id)) return null;
      if (typeof user === 'object' && user.role?.id) return { id, roleId: user.role.id };
      const record = (await users.findForRules([id], true)).get(id);
      return record ? { id, roleId: record.roleId } : null;
    },

    /** The "view deleted messages" permission: the users-permissions action, and the setting when it lists roles. */
    async canViewDeleted(actor: Actor) {
      const { viewDeletedRoles } = await getService('settings').get();
      if (viewDeletedRoles.length > 0 && !viewDeletedRoles.includes(actor.roleId ?? -1)) return false;
      return users.roleHasAction(actor.roleId, CONTENT_API_ACTIONS.viewDeleted);
    },
  };
};

export default peopleService;
