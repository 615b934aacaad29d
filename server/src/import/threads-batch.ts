import type { Db } from '../repositories/db';
import * as importMap from '../repositories/import-map';
import * as importThreads from '../repositories/import-threads';
import * as importPeople from '../repositories/import-people';
import { backfillContacts } from '../repositories/contacts';
import { planThread, type MapContext, type ThreadPlan } from './mapper';
import { mergeRerunMembership } from './rerun';
import type { BatchIds, Verifier } from './verify';
import type { IndexRow, Reader, SourceMessage, TagRow } from './reader';
import { timed, type ImportReport, type LossyCounts } from './report';
import { planTags } from './tags-plan';
import { findJoining } from './joining';

/*
 * One batch of Drupal threads: read, planned (mapper), and written in one transaction with their
 * import-map entries, so an interrupted run resumes after the last committed batch. A thread
 * imported before is written again only when the source has messages we do not have yet, or a
 * member whose account was matched since (they join it, with their messages as its author).
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
  /** Strapi users matched on this run and not by an earlier one (users.newlyMatchedUsers). */
  joining: Set<number>;
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

type PlannedThread = {
  plan: ThreadPlan;
  threadId?: number;
  fresh: ThreadPlan['messages'];
  /** A thread imported before with nothing new but members matched since: only they are written. */
  joiningOnly?: Set<number>;
};

type PlannedBatch = { plans: PlannedThread[]; ids: BatchIds };

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

  const planned = threadIds
    .map((threadId) => planThread(threadId, messagesByThread.get(threadId) ?? [], rowsByThread.get(threadId) ?? [], tagsByThread.get(threadId) ?? [], ctx.map, ctx.lossy))
    .filter((plan): plan is ThreadPlan => plan !== null);
  const imported = planned.filter((plan) => ids.threads.has(plan.sourceThreadId)).map((plan) => ({ threadId: ids.threads.get(plan.sourceThreadId)!, plan }));
  const joins = await findJoining(ctx.knex, ctx.joining, imported, (mid) => ids.messages.get(mid));

  const plans: PlannedBatch['plans'] = [];
  for (const plan of planned) {
    const fresh = plan.messages.filter((m) => !ids.messages.has(m.mid));
    const existing = ids.threads.get(plan.sourceThreadId);
    ctx.report.skippedAlreadyImported.messages += plan.messages.length - fresh.length;
    if (existing !== undefined && fresh.length === 0) {
      const join = joins.get(existing);
      if (!join) {
        ctx.report.skippedAlreadyImported.threads += 1;
        continue;
      }
      plans.push({ plan, threadId: existing, fresh, joiningOnly: join.members });
      continue;
    }
    plans.push({ plan, threadId: existing, fresh });
  }
  for (const { plan, threadId, fresh, joiningOnly } of plans) {
    if (threadId === undefined) ctx.report.imported.threads += 1;
    else if (!joiningOnly) ctx.report.imported.threadsUpdated += 1;
    ctx.report.imported.messages += fresh.length;
    ctx.report.imported.memberships += joiningOnly ? joiningOnly.size : plan.members.length;
    if (threadId !== undefined) ctx.report.imported.membersAdded += joins.get(threadId)?.members.size ?? 0;
  }
  if (ctx.dryRun) {
    // What writeTags would create and link, and what it would report.
    const { wanted, links } = planTags(tagSources(plans), ctx.lossy);
    ctx.report.imported.tags += wanted.size;
    ctx.report.imported.tagLinks += new Set(links.map((l) => `${l.key}:${l.sourceThreadId}`)).size;
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
        const members = p.joiningOnly ? plan.members.filter((mb) => p.joiningOnly!.has(mb.userId)) : plan.members;
        return members.map((mb) => {
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
          const undelivered = new Set(mb.undeliveredMids);
          const shown = p.fresh.filter((m) => m.mid > mb.visibleAfterMid && !undelivered.has(m.mid));
          const arriving = shown.filter((m) => m.authorId !== mb.userId);
          const unread = new Set(mb.unreadMids);
          const merged = mergeRerunMembership(before, planned, {
            visible: shown.map((m) => ourId(m.mid)),
            unread: arriving.filter((m) => unread.has(m.mid)).map((m) => ourId(m.mid)),
          });
          return { threadId: threadId!, userId: mb.userId, ...merged };
        });
      }),
      now
    );
    // What privatemsg never delivered stays undelivered: before the counts, which follow visibility.
    // The messages new in this run for every member; all of them for a member joining a thread
    // imported before (an account matched since), who had no state here yet.
    const freshMids = new Set(plans.flatMap((p) => p.fresh.map((m) => m.mid)));
    const authorOfMid = new Map(plans.flatMap((p) => p.plan.messages.map((m) => [m.mid, m.authorId] as const)));
    const joinsNow = (p: PlannedThread, userId: number) => updated.has(p) && !existing.get(`${p.threadId}:${userId}`);
    await importPeople.insertUndeliveredPeriods(
      trx,
      plans.flatMap((p) =>
        p.plan.members.flatMap((mb) =>
          mb.undeliveredMids
            .filter((mid) => (freshMids.has(mid) || joinsNow(p, mb.userId)) && ourId(mid) > 0 && authorOfMid.get(mid) != null)
            .map((mid) => ({ userId: mb.userId, authorId: authorOfMid.get(mid)!, messageId: ourId(mid) }))
        )
      ),
      now
    );
    // Messages imported with no author, by an account matched since: theirs now.
    await importThreads.assignAuthors(
      trx,
      [...updated].flatMap((p) => {
        const freshHere = new Set(p.fresh.map((m) => m.mid));
        return p.plan.messages
          .filter((m) => m.authorId !== null && ctx.joining.has(m.authorId) && !freshHere.has(m.mid) && ourId(m.mid) > 0)
          .map((m) => ({ messageId: ourId(m.mid), authorId: m.authorId!, threadId: p.threadId!, starter: m.mid === p.plan.sourceThreadId }));
      })
    );
    const threadIds = plans.map((p) => p.threadId!);
    await importThreads.rebuildThreadCounters(
      trx,
      plans.map(({ plan, threadId }) => ({ id: threadId!, listedUserIds: plan.members.filter((mb) => !mb.hidden).map((mb) => mb.userId) }))
    );
    await importThreads.rebuildMembershipCounters(trx, threadIds);
    // Imported threads were accepted: their history makes contacts (repositories/contacts).
    await backfillContacts(trx, threadIds);
    await writeTags(ctx, trx, plans, now);
  });
};

/** The plans' tags to write: of every member, or only of those joining a thread imported before. */
const tagSources = (plans: PlannedThread[]) => plans.map(({ plan, joiningOnly }) => ({ plan, userIds: joiningOnly }));

/** Per-user tags of the batch's threads (the Inbox tag is inbox membership, not a tag). */
const writeTags = async (ctx: BatchContext, trx: Db, plans: PlannedThread[], now: Date) => {
  const { wanted, links } = planTags(tagSources(plans), ctx.lossy);
  if (links.length === 0) return;
  const threadOf = new Map(plans.map((p) => [p.plan.sourceThreadId, p.threadId!]));
  const tagIds = await importPeople.ensureTags(trx, [...wanted.values()], now);
  ctx.report.imported.tags += wanted.size;
  const memberships = await importThreads.membershipIdsOf(trx, [...new Set(plans.map((p) => p.threadId!))]);
  const pairs = new Map<string, { membershipId: number; tagId: number }>();
  for (const l of links) {
    const membershipId = memberships.get(`${threadOf.get(l.sourceThreadId)}:${l.userId}`);
    const tagId = tagIds.get(l.key);
    if (membershipId !== undefined && tagId !== undefined) pairs.set(`${membershipId}:${tagId}`, { membershipId, tagId });
  }
  await importPeople.linkTags(trx, [...pairs.values()]);
  ctx.report.imported.tagLinks += pairs.size;
};
