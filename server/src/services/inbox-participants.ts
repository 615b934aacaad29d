import * as membershipsRepo from '../repositories/memberships';
import type { MemberView } from '../repositories/memberships';
import * as threadsRepo from '../repositories/threads';
import type { Db } from '../repositories/db';
import { membersShown } from '../repositories/visibility';

/*
 * Which members a reader is shown in a thread's participant list (the inbox's lists and a thread's
 * own view): who they may see comes from repositories/visibility; where the names come from, from
 * the thread's participant preview when it holds enough, else from the memberships.
 */

export type Participant = { threadId: number; userId: number; left: boolean };

/** What the viewer is shown of a thread's members (repositories/visibility): all, the listed ones, or the starter and themselves. */
export const shownToViewer = (viewerId: number, view: MemberView) => membersShown(view.thread, { userId: viewerId, hidden: view.membership.hidden });

/**
 * Up to `perThread` members of each thread by user id, among those the viewer is shown. A list
 * takes them from the threads' participant previews (no statement; a broadcast's preview holds
 * only the members everyone may see); a thread's own view, and threads written before previews
 * existed, read the memberships.
 */
export const participantsOf = async (db: Db, viewerId: number, views: MemberView[], perThread: number): Promise<Participant[]> => {
  const inList = perThread <= threadsRepo.PARTICIPANT_PREVIEW_SIZE;
  const previewed = inList ? views.filter((v) => v.thread.participantPreview !== null) : [];
  const withoutPreview = views.filter((v) => !previewed.includes(v));
  const read =
    withoutPreview.length > 0
      ? await membershipsRepo.listMembers(
          db,
          withoutPreview.map((v) => {
            const { scope } = shownToViewer(viewerId, v);
            const starter = v.thread.starterId === null ? [] : [v.thread.starterId];
            return {
              ...v.thread,
              scope: scope === 'all' ? undefined : scope === 'listed' ? { listedOnly: true } : { userIds: [...starter, viewerId] },
            };
          }),
          perThread
        )
      : [];
  return [
    ...previewed.flatMap((v) => {
      const t = v.thread;
      const preview = (t.participantPreview ?? []).map((p) => ({ threadId: t.id, userId: p.userId, left: p.left === true }));
      if (shownToViewer(viewerId, v).scope !== 'starter') return preview.slice(0, perThread);
      // A broadcast's recipient: the starter (as the preview has them) and themselves.
      const starter = preview.find((p) => p.userId === t.starterId) ?? (t.starterId === null ? [] : { threadId: t.id, userId: t.starterId, left: false });
      return [...[starter].flat(), { threadId: t.id, userId: viewerId, left: false }].sort((a, b) => a.userId - b.userId);
    }),
    ...read,
  ];
};
