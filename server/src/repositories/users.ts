import type { Core } from '@strapi/strapi';
import { avatarKindOf, type AvatarKind, type UserModel } from '../config/avatar-field';
import { yieldToEventLoop } from './db';
import { selectRows, whereIdIn } from './dialect';

const USER_UID = 'plugin::users-permissions.user';
const PERMISSION_UID = 'plugin::users-permissions.permission';
const ROLE_UID = 'plugin::users-permissions.role';

/** A user as the plugin sees them when they act: their id and their users-permissions role. */
export type Actor = { id: number; roleId: number | null };

export type UserRecord = {
  id: number;
  username: string;
  blocked: boolean;
  avatar: string | null;
  roleId: number | null;
};

/**
 * Reads of users-permissions users. The avatar lives in a configurable attribute that is either a
 * media field (we read its url) or a plain string holding a URL (config/avatar-field.ts says which
 * attributes may; services/people.ts decides which values go out).
 */
export const createUsersRepository = (strapi: Core.Strapi) => {
  // Checked again at every read, not only when the setting is saved: a value saved before this
  // check existed, or a model changed since, must not publish a private attribute either.
  const avatarKind = (field: string | null): AvatarKind | null =>
    avatarKindOf(strapi.getModel(USER_UID) as UserModel | undefined, field, strapi.config.get('api.responses.privateAttributes', []));

  const toRecord = (u: Record<string, any>, field: string | null, kind: AvatarKind | null): UserRecord => {
    let avatar: string | null = null;
    if (field && kind === 'media') avatar = u[field]?.url ?? null;
    if (field && kind === 'string') avatar = typeof u[field] === 'string' && u[field] !== '' ? u[field] : null;
    return {
      id: u.id,
      username: u.username,
      blocked: Boolean(u.blocked),
      avatar,
      roleId: u.role?.id ?? null,
    };
  };

  const query = async (where: Record<string, unknown>, avatarField: string | null, extra: Record<string, unknown> = {}) => {
    const kind = avatarKind(avatarField);
    const select = ['id', 'username', 'blocked'];
    if (avatarField && kind === 'string') select.push(avatarField);
    const populate: Record<string, unknown> = {};
    if (avatarField && kind === 'media') populate[avatarField] = { select: ['url'] };
    const rows = await strapi.db.query(USER_UID).findMany({ where, select, populate, ...extra });
    return rows.map((u: Record<string, any>) => toRecord(u, avatarField, kind));
  };

  /** Users by id from the users-permissions tables through knex, 1,000 ids per statement with the event loop free in between. */
  const fromUsersTable = async (ids: number[], withRole: boolean): Promise<Map<number, UserRecord>> => {
    const unique = [...new Set(ids)];
    const found = new Map<number, UserRecord>();
    const meta = strapi.db.metadata.get(USER_UID);
    const link = (meta.attributes as any).role.joinTable;
    const knex = strapi.db.connection;
    for (let i = 0; i < unique.length; i += 1000) {
      if (i > 0) await yieldToEventLoop();
      const q = whereIdIn(knex, knex(`${meta.tableName} as u`).select('u.id', 'u.username', 'u.blocked'), 'u.id', unique.slice(i, i + 1000));
      if (withRole) {
        q.leftJoin(`${link.name} as rl`, `rl.${link.joinColumn.name}`, 'u.id').select(`rl.${link.inverseJoinColumn.name} as role_id`);
      }
      for (const u of await selectRows(knex, q)) {
        const id = Number(u.id);
        found.set(id, {
          id,
          username: u.username as string,
          blocked: u.blocked === true || u.blocked === 1 || u.blocked === '1',
          avatar: null,
          roleId: u.role_id === null || u.role_id === undefined ? null : Number(u.role_id),
        });
      }
    }
    return found;
  };

  /**
   * Which of `actions` each of `roleIds` holds, in one query whatever their number: users-permissions
   * grants are rows of its permission table linked to roles. Every role asked for is in the answer
   * (with an empty set when it holds none); null ids (a user without a role) are left out.
   */
  const roleActions = async (roleIds: (number | null)[], actions: string[]): Promise<Map<number, Set<string>>> => {
    const unique = [...new Set(roleIds.filter((id): id is number => Number.isInteger(id)))];
    const held = new Map(unique.map((id) => [id, new Set<string>()]));
    if (unique.length === 0 || actions.length === 0) return held;
    const meta = strapi.db.metadata.get(PERMISSION_UID);
    const link = (meta.attributes as any).role.joinTable;
    const knex = strapi.db.connection;
    const roleColumn = `l.${link.inverseJoinColumn.name}`;
    const q = knex(`${meta.tableName} as p`)
      .join(`${link.name} as l`, `l.${link.joinColumn.name}`, 'p.id')
      .select(`${roleColumn} as role_id`, 'p.action')
      .whereIn('p.action', actions);
    for (const row of await selectRows(knex, whereIdIn(knex, q, roleColumn, unique))) {
      held.get(Number(row.role_id))?.add(String(row.action));
    }
    return held;
  };

  const roleMembers = async (roleIds: number[]): Promise<Map<number, number>> => {
    if (roleIds.length === 0) return new Map();
    const link = (strapi.db.metadata.get(USER_UID).attributes as any).role.joinTable;
    const rows = await strapi.db
      .connection(link.name)
      .select(link.joinColumn.name, link.inverseJoinColumn.name)
      .whereIn(link.inverseJoinColumn.name, roleIds);
    return new Map(rows.map((r: Record<string, unknown>) => [Number(r[link.joinColumn.name]), Number(r[link.inverseJoinColumn.name])]));
  };

  return {
    /**
     * Users by id for summaries (`roleId` is not filled). Without an avatar attribute, straight
     * from the users table like findForRules; an avatar (a media field, or a string attribute)
     * goes through Strapi's query engine, which knows how to reach it.
     */
    async findByIds(ids: number[], avatarField: string | null): Promise<Map<number, UserRecord>> {
      if (!avatarKind(avatarField)) return fromUsersTable(ids, false);
      const unique = [...new Set(ids)];
      const found = new Map<number, UserRecord>();
      for (let i = 0; i < unique.length; i += 1000) {
        if (i > 0) await yieldToEventLoop();
        const users = await query({ id: { $in: unique.slice(i, i + 1000) } }, avatarField);
        for (const u of users) found.set(u.id, u);
      }
      return found;
    },

    /**
     * What the rules need of users (existence, blocked account, role with `withRole`), straight
     * from the users-permissions tables: a message to a 10,000-user role looks up every member,
     * and Strapi's query engine would spend tens of milliseconds mapping each thousand rows.
     */
    findForRules: (ids: number[], withRole = false) => fromUsersTable(ids, withRole),

    /** Autocomplete: users whose username contains `q`, case-insensitively. */
    search(q: string, excludeId: number, limit: number, avatarField: string | null): Promise<UserRecord[]> {
      return query(
        { username: { $containsi: q }, id: { $ne: excludeId }, blocked: { $ne: true } },
        avatarField,
        { limit, orderBy: { username: 'asc' } }
      );
    },

    async findRoles(ids: number[]): Promise<Map<number, { id: number; name: string }>> {
      if (ids.length === 0) return new Map();
      const roles = await strapi.db.query(ROLE_UID).findMany({ where: { id: { $in: ids } }, select: ['id', 'name'] });
      return new Map(roles.map((r: { id: number; name: string }) => [r.id, r]));
    },

    searchRoles(q: string, limit: number): Promise<{ id: number; name: string }[]> {
      return strapi.db.query(ROLE_UID).findMany({
        where: { ...(q ? { name: { $containsi: q } } : {}), type: { $ne: 'public' } },
        select: ['id', 'name'],
        orderBy: { name: 'asc' },
        limit,
      });
    },

    /** Every users-permissions role (the settings page's role pickers), by name. */
    listRoles(): Promise<{ id: number; name: string; type: string; description: string | null }[]> {
      return strapi.db.query(ROLE_UID).findMany({ select: ['id', 'name', 'type', 'description'], orderBy: { name: 'asc' } });
    },

    /** Who to email: username and address of each user (deleted users are left out). */
    async findContacts(ids: number[]): Promise<Map<number, { id: number; username: string; email: string | null }>> {
      if (ids.length === 0) return new Map();
      const rows = await strapi.db.query(USER_UID).findMany({ where: { id: { $in: [...new Set(ids)] } }, select: ['id', 'username', 'email'] });
      return new Map(rows.map((u: { id: number; username: string; email: string | null }) => [u.id, u]));
    },

    /** Every user of these roles (user id → role id), read straight from the users-permissions link table in one query. */
    roleMembers,

    roleMemberIds: async (roleIds: number[]): Promise<number[]> => [...(await roleMembers(roleIds)).keys()],

    roleActions,

    /** When the user's account was created (the new-account limit), or null when there is no such user. */
    async accountCreatedAt(id: number): Promise<Date | null> {
      const row = await strapi.db.query(USER_UID).findOne({ where: { id }, select: ['createdAt'] });
      return row?.createdAt ? new Date(row.createdAt) : null;
    },

    /** Whether the role holds a users-permissions action (e.g. the one that shows deleted bodies). */
    async roleHasAction(roleId: number | null, action: string): Promise<boolean> {
      if (!roleId) return false;
      return (await roleActions([roleId], [action])).get(roleId)!.has(action);
    },
  };
};
