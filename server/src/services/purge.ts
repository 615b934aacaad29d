import type { Core } from '@strapi/strapi';
import { inTransaction } from '../utils/transaction';
import * as deliveryRepo from '../repositories/membership-delivery';
import * as readStateRepo from '../repositories/membership-read-state';
import * as threadsRepo from '../repositories/threads';
import * as purgeRepo from '../repositories/purge';
import { getService } from '../utils/get-service';

const BATCH = 1000;

/**
 * Removes soft-deleted messages older than `purgeDeletedAfterDays` from the database, then
 * recounts the affected threads and memberships so every count stays exact. Runs from a cron job
 * and can be called directly. Two instances running it at once: on PostgreSQL and MySQL/MariaDB the
 * second skips (repositories/purge.ts: tryPurgeLock); SQLite serializes writers anyway, and a batch
 * already purged deletes nothing.
 */
const purgeService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async run(now = new Date()): Promise<{ purged: number }> {
    // Sends' idempotency keys last a day; staged attachments nobody sent, `attachments.stagedHours`.
    await getService('idempotency').purgeExpired(now);
    // Audit entries older than auditRetentionDays.
    await getService('audit').purgeExpired(now);
    await getService('attachments').purgeStaged(now);
    const { purgeDeletedAfterDays } = await getService('settings').get();
    if (purgeDeletedAfterDays === 0) return { purged: 0 };
    const cutoff = new Date(now.getTime() - purgeDeletedAfterDays * 86_400_000);
    let purged = 0;
    const attachments = getService('attachments');

    for (;;) {
      const files: Awaited<ReturnType<typeof attachments.deleteRowsOfMessages>> = [];
      const removed = await inTransaction(strapi, async (trx) => {
        files.length = 0;
        if (!(await purgeRepo.tryPurgeLock(trx))) return -1;
        try {
          const rows = await purgeRepo.listPurgeable(trx, cutoff, BATCH);
          if (rows.length === 0) return 0;
          const threadIds = [...new Set(rows.map((r) => r.threadId))];
          await purgeRepo.lockThreads(trx, threadIds);
          // Replies to big threads still on their way to members are delivered first: the recount
          // below fixes counts, but only a delivery brings a thread back to an inbox or moves it up.
          await deliveryRepo.catchUpThreads(trx, threadIds, now);
          // The messages' attachments go with them: rows here, their bytes once this commits.
          files.push(...(await attachments.deleteRowsOfMessages(trx, rows.map((r) => r.id))));
          const count = await purgeRepo.deleteMessages(trx, rows.map((r) => r.id));
          await threadsRepo.recountThreads(trx, threadIds);
          await readStateRepo.recountMemberships(trx, threadIds);
          return count;
        } finally {
          await purgeRepo.releasePurgeLock(trx);
        }
      });
      await attachments.removeFiles(files);
      if (removed <= 0) break;
      purged += removed;
      if (removed < BATCH) break;
    }
    if (purged > 0) strapi.log.info(`[private-messages] purged ${purged} deleted messages`);
    return { purged };
  },
});

export default purgeService;
