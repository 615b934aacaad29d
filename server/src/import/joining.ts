import type { Db } from '../repositories/db';
import * as importThreads from '../repositories/import-threads';
import type { ThreadPlan } from './mapper';

/*
 * Accounts matched on this run and not by an earlier completed one join the threads imported
 * before: as members where they have no membership yet, and as the authors of the messages they
 * wrote there (imported with no author). What is already there is left alone, which also makes a
 * run resumed after an interruption (when every account still counts as newly matched) skip what
 * the interrupted run wrote.
 */
export type Joining = { members: Set<number>; authored: boolean };

/** Per thread of ours among `threads` (imported before): who joins, and whether any message gets its author. */
export const findJoining = async (
  knex: Db,
  joining: Set<number>,
  threads: { threadId: number; plan: ThreadPlan }[],
  ourMessageId: (mid: number) => number | undefined
) => {
  const found = new Map<number, Joining>();
  if (joining.size === 0) return found;
  const candidates = threads.filter(
    ({ plan }) => plan.members.some((mb) => joining.has(mb.userId)) || plan.messages.some((m) => m.authorId !== null && joining.has(m.authorId))
  );
  if (candidates.length === 0) return found;
  const messageIds = candidates.flatMap(({ plan }) =>
    plan.messages.filter((m) => m.authorId !== null && joining.has(m.authorId)).map((m) => ourMessageId(m.mid) ?? 0).filter((id) => id > 0)
  );
  const { memberships, authorless } = await importThreads.joinState(knex, candidates.map((c) => c.threadId), messageIds);
  for (const { threadId, plan } of candidates) {
    const members = new Set(plan.members.filter((mb) => joining.has(mb.userId) && !memberships.has(`${threadId}:${mb.userId}`)).map((mb) => mb.userId));
    const authored = plan.messages.some((m) => m.authorId !== null && joining.has(m.authorId) && authorless.has(ourMessageId(m.mid) ?? 0));
    if (members.size > 0 || authored) found.set(threadId, { members, authored });
  }
  return found;
};
