import type { Db } from '../repositories/db';
import * as importMap from '../repositories/import-map';
import * as importThreads from '../repositories/import-threads';
import * as importPeople from '../repositories/import-people';
import { tagNameKey } from '../services/tags';
import { planThread, type MapContext, type ThreadPlan } from './mapper';
import { mergeRerunMembership } from './rerun';
import type { Verifier } from './verify';
import type { IndexRow, Reader, SourceMessage, TagRow } from './reader';
import { timed, type ImportReport, type LossyCounts } from './report';

/*
 * One batch of Drupal threads: read, planned (mapper), and written in one transaction with their
 * import-map entries, so an interrupted run resumes after the last committed batch. A thread
 * imported before is written again only when the source has messages we do not have yet.
 */

export type BatchContext = {
  knex: Db;
  reader: Reader;
  source: string;
  dryRun: boolean;
  map: MapContext;
  roleOf: (rid: number) => { id: number; name: string };
  report: ImportReport;
  lossy: LossyCounts;
  /** The check against privatemsg, batch by batch (none in a dry run or with --no-verify). */
  verifier?: Verifier;
};

/** Map.groupBy, which Node 20 lacks. */
const groupBy = <T, K>(items: T[], keyOf: (item: T) => K) => {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
};

const tagName = (name: string, tagId: number, lossy: LossyCounts) => {
  const trimmed = name.normalize('NFC').trim();
  if (trimmed !== '' && trimmed.length <= 64) return trimmed;
  lossy.tagsRenamed = (lossy.tagsRenamed ?? 0) + 1;
  return trimmed === '' ? `tag ${tagId}` : trimmed.slice(0, 64);
};

export type PreparedBatch = { rows: IndexRow[]; batch: PlannedBatch };

/**
 * Reads a batch from the source and plans it; writes nothing. The importer prepares the next
 * batch while the database writes this one (its threads and messages are not this one's, so
 * nothing it reads changes meanwhile): Node's work overlaps the database's.
 */
export const prepareThreadBatch = async (ctx: BatchContext, threadIds: number[]): Promise<PreparedBatch> => {
  const [rows, messages, tagRows] = await timed(ctx.report, 'read', () =>
    Promise.all([ctx.reader.indexRows(threadIds), ctx.reader.messages(threadIds), ctx.reader.tagRows(threadIds)])
  );
  const batch = await timed(ctx.report, 'plan', () => planBatch(ctx, threadIds, rows, messages, tagRows));
  return { rows, batch };
};

/** Writes a prepared batch in one transaction (nothing in a dry run), then checks it. */
export const commitThreadBatch = async (ctx: BatchContext, { rows, batch }: PreparedBatch) => {
  if (ctx.dryRun) return;
  if (batch.plans.length > 0) await timed(ctx.report, 'write', () => writeBatch(ctx, batch));
  // The batch's threads as members see them now, against privatemsg's rows read above.
  if (ctx.verifier) await timed(ctx.report, 'verify', () => ctx.verifier!.checkBatch(rows, batch.ids));
};

export type BatchIds = {
  /** Our thread of each source thread id, and our message of each source mid (imported before, or now). */
  threads: Map<number, number>;
  messages: Map<number, number>;
};

type PlannedBatch = {
  plans: { plan: ThreadPlan; threadId?: number; fresh: ThreadPlan['messages'] }[];
  ids: BatchIds;
};

const bySourceId = (mappings: Map<string, number>) => new Map([...mappings].map(([key, target]) => [Number(key.split(':')[0]), target]));

/** The batch's threads as our model holds them, minus what an earlier run imported; counted in the report. */
const planBatch = async (ctx: BatchContext, threadIds: number[], rows: IndexRow[], messages: SourceMessage[], tagRows: TagRow[]): Promise<PlannedBatch> => {
  const rowsByThread = groupBy(rows, (r) => r.threadId);
  const tagsByThread = groupBy(tagRows, (r) => r.threadId);
  const threadOfMid = new Map(rows.map((r) => [r.mid, r.threadId]));
  const messagesByThread = groupBy(messages.filter((m) => threadOfMid.has(m.mid)), (m) => threadOfMid.get(m.mid)!);

  const ids: BatchIds = {
    threads: bySourceId(await importMap.findMappings(ctx.knex, ctx.source, 'thread', threadIds)),
    messages: bySourceId(await importMap.findMappings(ctx.knex, ctx.source, 'message', messages.map((m) => m.mid))),
  };

  const plans: PlannedBatch['plans'] = [];
  for (const threadId of threadIds) {
    const plan = planThread(threadId, messagesByThread.get(threadId) ?? [], rowsByThread.get(threadId) ?? [], tagsByThread.get(threadId) ?? [], ctx.map, ctx.lossy);
    if (!plan) continue;
    const fresh = plan.messages.filter((m) => !ids.messages.has(m.mid));
    const existing = ids.threads.get(threadId);
    ctx.report.skippedAlreadyImported.messages += plan.messages.length - fresh.length;
    if (existing !== undefined && fresh.length === 0) {
      ctx.report.skippedAlreadyImported.threads += 1;
      continue;
    }
    plans.push({ plan, threadId: existing, fresh });
  }
  for (const { plan, threadId, fresh } of plans) {
    if (threadId === undefined) ctx.report.imported.threads += 1;
    else ctx.report.imported.threadsUpdated += 1;
    ctx.report.imported.messages += fresh.length;
    ctx.report.imported.memberships += plan.members.length;
  }
  if (ctx.dryRun) {
    // What writeTags would create and link (by owner and case-insensitive name).
    const tags = plans.flatMap(({ plan }) =>
      plan.tags.map((t) => ({ key: `${t.userId}:${tagNameKey(tagName(t.name, t.tagId, {}))}`, threadId: plan.sourceThreadId }))
    );
    ctx.report.imported.tags += new Set(tags.map((t) => t.key)).size;
    ctx.report.imported.tagLinks += new Set(tags.map((t) => `${t.key}:${t.threadId}`)).size;
  }
  return { plans, ids };
};

/** One transaction: the batch's rows, their import-map entries, the counters that follow from them. */
const writeBatch = async (ctx: BatchContext, { plans, ids }: PlannedBatch) => {
  const now = new Date();
  await (ctx.knex as any).transaction(async (trx: Db) => {
    // Threads new to us, and those an earlier run imported (new messages since).
    const updated = new Set(plans.filter((p) => p.threadId !== undefined));
    const fresh = plans.filter((p) => p.threadId === undefined);
    const newIds = await importThreads.insertThreads(
      trx,
      fresh.map(({ plan }) => ({
        subject: plan.subject,
        starterId: plan.starterId,
        roles: plan.roleIds.map(ctx.roleOf),
        createdAt: plan.messages[0].createdAt,
      })),
      now
    );
    fresh.forEach((p, i) => {
      p.threadId = newIds[i];
      ids.threads.set(p.plan.sourceThreadId, newIds[i]);
    });
    await importMap.insertMappings(trx, ctx.source, 'thread', fresh.map((p) => ({ sourceId: p.plan.sourceThreadId, targetId: p.threadId! })), now);

    // Messages, in source order: ids keep each thread's order.
    const toInsert = plans.flatMap((p) => p.fresh.map((m) => ({ m, threadId: p.threadId! }))).sort((a, b) => a.m.mid - b.m.mid);
    const messageIds = await importThreads.insertMessages(trx, toInsert.map(({ m, threadId }) => ({ ...m, threadId })), now);
    const idOfMid = ids.messages;
    toInsert.forEach(({ m }, i) => idOfMid.set(m.mid, messageIds[i]));
    await importMap.insertMappings(trx, ctx.source, 'message', toInsert.map(({ m }, i) => ({ sourceId: m.mid, targetId: messageIds[i] })), now);

    // Members' state, then the counters that follow from the rows.
    const ourId = (mid: number) => (mid === 0 ? 0 : (idOfMid.get(mid) ?? 0));
    const existing = await importThreads.membershipStatesOf(trx, [...updated].map((p) => p.threadId!));
    await importThreads.upsertMemberships(
      trx,
      plans.flatMap((p) => {
        const { plan, threadId } = p;
        const last = ourId(plan.messages[plan.messages.length - 1].mid);
        return plan.members.map((mb) => {
          const planned = {
            hidden: mb.hidden,
            inInbox: mb.inInbox,
            // Out of the inbox without being removed: archived (privatemsg's Inbox tag taken off).
            archived: !mb.inInbox && mb.removedAt === null,
            visibleAfterMessageId: ourId(mb.visibleAfterMid),
            lastReadMessageId: mb.firstUnreadMid === null ? last : ourId(mb.firstUnreadMid) - 1,
            unreadCount: mb.unreadCount,
            removedAt: mb.removedAt,
          };
          const before = updated.has(p) ? existing.get(`${threadId}:${mb.userId}`) : undefined;
          if (!before) return { threadId: threadId!, userId: mb.userId, ...planned };
          // A thread imported before: what its member did here stays (import/rerun.ts).
          const arriving = p.fresh.filter((m) => m.mid > mb.visibleAfterMid && m.authorId !== mb.userId);
          const unread = new Set(mb.unreadMids);
          const merged = mergeRerunMembership(before, planned, {
            visible: p.fresh.filter((m) => m.mid > mb.visibleAfterMid).map((m) => ourId(m.mid)),
            unread: arriving.filter((m) => unread.has(m.mid)).map((m) => ourId(m.mid)),
          });
          return { threadId: threadId!, userId: mb.userId, ...merged };
        });
      }),
      now
    );
    const threadIds = plans.map((p) => p.threadId!);
    await importThreads.rebuildThreadCounters(
      trx,
      plans.map(({ plan, threadId }) => ({ id: threadId!, listedUserIds: plan.members.filter((mb) => !mb.hidden).map((mb) => mb.userId) }))
    );
    await importThreads.rebuildMembershipCounters(trx, threadIds);
    await writeTags(ctx, trx, plans, now);
  });
};

/** Per-user tags of the batch's threads (the Inbox tag is inbox membership, not a tag). */
const writeTags = async (ctx: BatchContext, trx: Db, plans: { plan: ThreadPlan; threadId?: number }[], now: Date) => {
  const wanted = new Map<string, { ownerId: number; name: string; nameKey: string }>();
  const links: { threadId: number; userId: number; key: string }[] = [];
  const keyOfSource = new Map<string, string>();
  for (const { plan, threadId } of plans) {
    for (const t of plan.tags) {
      const name = tagName(t.name, t.tagId, ctx.lossy);
      const key = `${t.userId}:${tagNameKey(name)}`;
      const sourceKey = `${t.userId}:${t.tagId}`;
      if (!keyOfSource.has(sourceKey)) {
        keyOfSource.set(sourceKey, key);
        if (wanted.has(key) && wanted.get(key)!.name !== name) ctx.lossy.tagsMerged = (ctx.lossy.tagsMerged ?? 0) + 1;
      }
      wanted.set(key, { ownerId: t.userId, name, nameKey: tagNameKey(name) });
      links.push({ threadId: threadId!, userId: t.userId, key });
    }
  }
  if (links.length === 0) return;
  const tagIds = await importPeople.ensureTags(trx, [...wanted.values()], now);
  ctx.report.imported.tags += wanted.size;
  const memberships = await importThreads.membershipIdsOf(trx, [...new Set(links.map((l) => l.threadId))]);
  const pairs = new Map<string, { membershipId: number; tagId: number }>();
  for (const l of links) {
    const membershipId = memberships.get(`${l.threadId}:${l.userId}`);
    const tagId = tagIds.get(l.key);
    if (membershipId !== undefined && tagId !== undefined) pairs.set(`${membershipId}:${tagId}`, { membershipId, tagId });
  }
  await importPeople.linkTags(trx, [...pairs.values()]);
  ctx.report.imported.tagLinks += pairs.size;
};
