import type { Core } from '@strapi/strapi';
import type { ErasureMode } from '../config/defaults';
import { EVENTS } from '../events';
import { appendEntries } from '../repositories/audit';
import { eraseUserData } from '../repositories/erasure';
import { sweepOrphans } from '../repositories/erasure-orphans';
import { lockUserRow } from '../repositories/preferences';
import { afterCommit, inTransaction } from '../utils/transaction';
import { getService } from '../utils/get-service';
import { notFound } from '../utils/errors';
import { findThreadForInvestigation } from '../repositories/admin-threads';
import type { AuditAdmin } from './audit';

const USER_UID = 'plugin::users-permissions.user';

type Admin = { id: number; name: string };

/**
 * Erasure of a user's messaging data (GDPR): when their users-permissions account is deleted, by
 * any path (the admin panel, the content manager, the users-permissions API, the document service,
 * `strapi.db.query`: all run the database's delete lifecycles), and on an admin's request without
 * deleting the account. One transaction per user, the user's row lock first (every send of theirs
 * takes it), then their threads in id order; inside the transaction that deletes the account when
 * there is one (the document service opens one), so both commit or neither does. The steps, one per
 * table, are repositories/erasure.ts.
 */
const privacyService = ({ strapi }: { strapi: Core.Strapi }) => {
  const mode = async (asked?: ErasureMode) => asked ?? (await getService('settings').get()).erasure;

  const eraseOne = async (userId: number, erasure: ErasureMode, admin?: Admin) => {
    const now = new Date();
    const result = await inTransaction(strapi, async (trx) => {
      await lockUserRow(trx, userId, now);
      const erased = await eraseUserData(trx, { userId, mode: erasure, now, usersTable: strapi.db.metadata.get(USER_UID).tableName });
      if (admin) await appendEntries(trx, [{ adminId: admin.id, adminName: admin.name, action: 'user.erase', userId }], now);
      return erased;
    });
    // Outside the database (stored files): once committed; inside a deleting path's transaction,
    // when that one commits; never if it rolls back.
    const work = [...result.afterCommit];
    if (result.filesToRemove.length > 0) work.push(() => getService('attachments').removeFiles(result.filesToRemove));
    const runAfter = async () => {
      for (const w of work) await w().catch((e: Error) => strapi.log.error(`[private-messages] erasure: ${e.message}`));
    };
    if (work.length > 0) await afterCommit(strapi, runAfter);
    strapi.eventHub.emit(EVENTS.userErased, { userId, mode: erasure });
    return { threads: result.threads };
  };

  const userIdsWhere = async (where: unknown): Promise<number[]> => {
    if (!where || (typeof where === 'object' && Object.keys(where as object).length === 0)) return [];
    const rows = await strapi.db.query(USER_UID).findMany({ where: where as any, select: ['id'] });
    return rows.map((r: { id: number }) => Number(r.id));
  };

  const assertUser = async (userId: number) => {
    const found = await strapi.db.query(USER_UID).findOne({ where: { id: userId }, select: ['id'] });
    if (!found) throw notFound('User');
  };

  return {
    assertUser,

    /** An investigation: the thread, with the audit entry (and its reason) written before it is answered. */
    async openThread(threadDocumentId: string, reason: string, admin: AuditAdmin) {
      const thread = await findThreadForInvestigation(strapi.db.connection, threadDocumentId);
      if (!thread) throw notFound('Thread');
      await getService('audit').record(admin, [{ action: 'thread.open', threadId: thread.id, reason }]);
      return thread;
    },

    /** The admin route: erases the user's messaging data, the account stays; 404 for an unknown user. */
    async erase(userId: number, options: { mode?: ErasureMode; admin?: Admin } = {}) {
      await assertUser(userId);
      return eraseOne(userId, await mode(options.mode), options.admin);
    },

    /**
     * Subscribes to the users-permissions user's delete lifecycles: their data goes before their row
     * (afterwards the rows would point at nobody). After the delete, rows a concurrent send added
     * between the erasure and the account's deletion (when the two are not one transaction) are
     * swept: the database's foreign keys have set their user to null.
     */
    subscribeToUserDeletion() {
      const before = async (event: { params?: { where?: unknown } }) => {
        const erasure = await mode();
        for (const userId of await userIdsWhere(event.params?.where)) await eraseOne(userId, erasure);
      };
      const after = async () => {
        await inTransaction(strapi, (trx) => sweepOrphans(trx));
      };
      strapi.db.lifecycles.subscribe({
        models: [USER_UID],
        beforeDelete: before,
        beforeDeleteMany: before,
        afterDelete: after,
        afterDeleteMany: after,
      } as any);
    },
  };
};

export default privacyService;
