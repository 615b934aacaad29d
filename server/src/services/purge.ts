import type { Core } from '@strapi/strapi';
import * as membershipsRepo from '../repositories/memberships';
import * as threadsRepo from '../repositories/threads';
import { TABLES, toInt } from '../repositories/db';
import { getService } from '../utils/get-service';

const BATCH = 1000;
/** Any constant: the PostgreSQL advisory lock that lets only one instance purge at a time. */
const PURGE_LOCK = 727_001;

/**
 * Removes soft-deleted messages older than `purgeDeletedAfterDays` from the database, then
 * recounts the affected threads and memberships so every count stays exact. Runs from a cron job
 * and can be called directly. Two instances running it at once: on PostgreSQL the second skips
 * (advisory lock); SQLite serializes writers anyway, and a batch already purged deletes nothing.
 */
const purgeService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async run(now = new Date()): Promise<{ purged: number }> {
    const { purgeDeletedAfterDays } = await getService('settings').get();
    if (purgeDeletedAfterDays === 0) return { purged: 0 };
    const cutoff = new Date(now.getTime() - purgeDeletedAfterDays * 86_400_000);
    const isPostgres = strapi.db.dialect.client === 'postgres';
    let purged = 0;

    for (;;) {
      const removed = await strapi.db.transaction(async ({ trx }) => {
        if (isPostgres) {
          const { rows } = await trx.raw('select pg_try_advisory_xact_lock(?) as locked', [PURGE_LOCK]);
          if (!rows[0].locked) return -1;
        }
        const rows = await trx(TABLES.messages).select('id', 'thread_id').where('deleted_at', '<', cutoff).orderBy('id').limit(BATCH);
        if (rows.length === 0) return 0;
        const ids = rows.map((r: Record<string, unknown>) => toInt(r.id));
        const threadIds: number[] = [...new Set<number>(rows.map((r: Record<string, unknown>) => toInt(r.thread_id)))];
        if (isPostgres) {
          // Sends lock their thread row first (threads.recordMessageOnThread). Taking the same locks
          // before recounting waits for sends in flight to commit, so the recounts (statements with
          // fresh snapshots) see their messages; later sends wait for us and add to exact counts.
          // Without it, a recount blocked by a send would overwrite its +1 with a stale count.
          await trx(TABLES.threads).select('id').whereIn('id', threadIds).orderBy('id').forUpdate();
        }
        // Replies to big threads still on their way to members are delivered first: the recount
        // below fixes counts, but only a delivery brings a thread back to an inbox or moves it up.
        await membershipsRepo.catchUpThreads(trx, threadIds, now);
        await trx(TABLES.reports).whereIn('message_id', ids).update({ message_id: null });
        const count = toInt(await trx(TABLES.messages).whereIn('id', ids).delete());
        await threadsRepo.recountThreads(trx, threadIds);
        await membershipsRepo.recountMemberships(trx, threadIds);
        return count;
      });
      if (removed <= 0) break;
      purged += removed;
      if (removed < BATCH) break;
    }
    if (purged > 0) strapi.log.info(`[private-messages] purged ${purged} deleted messages`);
    return { purged };
  },
});

export default purgeService;
