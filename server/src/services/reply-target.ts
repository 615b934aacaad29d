import type { Db } from '../repositories/db';
import * as membershipsRepo from '../repositories/memberships';
import { membersShown } from '../repositories/visibility';
import { notFound } from '../utils/errors';
import { getService } from '../utils/get-service';
import type { Actor } from './people';

/**
 * The gate's input for a reply by `author` to a thread they are a current member of (404
 * otherwise): the members the reply goes to, as the author is shown them. A broadcast
 * recipient's reply goes to the starter alone, so it is checked as in a 1:1 thread.
 */
export const replyTargetOf = async (db: Db, author: Actor, threadDocumentId: string) => {
  const view = await membershipsRepo.findActiveMembership(db, author.id, threadDocumentId);
  if (!view) throw notFound('Thread');
  const shown = membersShown(view.thread, { userId: author.id, hidden: view.membership.hidden });
  const isGroup = shown.scope === 'all' ? view.thread.isGroup : shown.count > 2;
  const scope =
    shown.scope === 'all' ? undefined : shown.scope === 'listed' ? { listedOnly: true } : { userIds: view.thread.starterId === null ? [] : [view.thread.starterId] };
  // Group replies only check the sender, unless guards want to see the members.
  const needMembers = !isGroup || getService('guards').list().length > 0;
  const memberIds = needMembers ? await membershipsRepo.listActiveMemberIds(db, view.thread.id, author.id, scope) : [];
  return { view, reply: { threadId: view.thread.documentId, isGroup, memberIds, about: view.thread.context } };
};
