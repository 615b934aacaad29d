import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { AUDIT_ACTIONS, appendEntries, listEntries, purgeEntriesBefore, type AuditInput } from '../repositories/audit';
import { inTransaction } from '../utils/transaction';
import { getService } from '../utils/get-service';
import { parse } from '../validation';

export type AuditAdmin = { id: number; firstname?: string | null; lastname?: string | null; username?: string | null; email?: string | null };

/** The name an entry keeps of the admin (entries outlive admin accounts). */
export const adminName = (admin: AuditAdmin) =>
  [admin.firstname, admin.lastname].filter(Boolean).join(' ') || admin.username || admin.email || `admin ${admin.id}`;

const positiveInt = z.coerce.number().int().positive().max(2_147_483_647);

export const auditQuerySchema = z.strictObject({
  admin: positiveInt.optional(),
  user: positiveInt.optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, 'is not a cursor from this list').optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

/**
 * The audit trail: every admin read of message content writes an entry in the request that reads
 * (record), newest first with a cursor (list); the cron purges entries older than
 * `auditRetentionDays` (purgeExpired). No route changes or deletes an entry.
 */
const auditService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async record(admin: AuditAdmin, entries: Omit<AuditInput, 'adminId' | 'adminName'>[]) {
    const name = adminName(admin);
    await inTransaction(strapi, (trx) =>
      appendEntries(trx, entries.map((e) => ({ ...e, adminId: admin.id, adminName: name })), new Date())
    );
  },

  async list(query: unknown) {
    const q = parse(auditQuerySchema, query, 'query');
    const limit = q.limit ?? 50;
    const { entries, nextBefore } = await listEntries(strapi.db.connection, {
      admin: q.admin,
      user: q.user,
      action: q.action,
      before: q.cursor === undefined ? undefined : Number(q.cursor),
      limit,
    });
    return { data: entries, meta: { nextCursor: nextBefore === null ? null : String(nextBefore), limit } };
  },

  async purgeExpired(now = new Date()) {
    const { auditRetentionDays } = await getService('settings').get();
    const cutoff = new Date(now.getTime() - auditRetentionDays * 86_400_000);
    return inTransaction(strapi, (trx) => purgeEntriesBefore(trx, cutoff));
  },
});

export default auditService;
