import type { Core } from '@strapi/strapi';

const ADMIN_USER_UID = 'admin::user';
const ADMIN_PERMISSION_UID = 'admin::permission';

export type AdminSummary = { id: number; firstname: string | null; lastname: string | null; email: string };

/** Reads of admin panel users (moderators), through Strapi's query engine: few rows, off the hot paths. */
export const createAdminsRepository = (strapi: Core.Strapi) => ({
  /** Admin users by id (who resolved a report, who suspended a sender). */
  async summaries(ids: number[]): Promise<Map<number, AdminSummary>> {
    if (ids.length === 0) return new Map();
    const admins = await strapi.db
      .query(ADMIN_USER_UID)
      .findMany({ where: { id: { $in: ids } }, select: ['id', 'firstname', 'lastname', 'email'] });
    return new Map(admins.map((a: AdminSummary) => [a.id, a]));
  },

  /** Addresses of the active admin users whose roles hold the RBAC `action`, super admins included. */
  async emailsOfActiveHolders(action: string): Promise<string[]> {
    const permissions = await strapi.db.query(ADMIN_PERMISSION_UID).findMany({ where: { action }, populate: { role: { select: ['id'] } } });
    const superAdmin = await strapi.service('admin::role').getSuperAdmin();
    const roleIds = [...new Set([superAdmin?.id, ...permissions.map((p: any) => p.role?.id)].filter(Boolean))];
    const admins = await strapi.db
      .query(ADMIN_USER_UID)
      .findMany({ where: { roles: { id: { $in: roleIds } }, isActive: true, blocked: false }, select: ['email'] });
    return admins.map((a: { email: string }) => a.email);
  },
});
