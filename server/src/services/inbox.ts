import type { Core } from '@strapi/strapi';
import * as membershipsRepo from '../repositories/memberships';
import type { MemberView } from '../repositories/memberships';
import * as messagesRepo from '../repositories/messages';
import * as threadsRepo from '../repositories/threads';
import type { MessageRow } from '../repositories/messages';
import { TABLES, toInt, toMillis } from '../repositories/db';
import { decodeCursor, encodeCursor } from '../utils/cursor';
import { notFound, validationError } from '../utils/errors';
import { getService } from '../utils/get-service';
import type { Actor, UserSummary } from './people';

export const DEFAULT_PAGE_SIZE = 25;

const badCursor = (key: string) => validationError(`Invalid ${key}`, [{ path: [key], message: 'is not a valid cursor' }]);

/**
 * Reading: the inbox, a thread with its newest messages, older pages. Each page is a fixed
 * number of queries (page, then batched lookups of members, users, last messages and tags).
 */
const inboxService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const secret = () => getService('settings').cursorSecret();

  const tagsOf = async (membershipIds: number[]) => {
    const byMembership = new Map<number, { id: string; name: string }[]>();
    if (membershipIds.length === 0) return byMembership;
    const rows = await knex()(`${TABLES.membershipTags} as l`)
      .join(`${TABLES.tags} as t`, 't.id', 'l.tag_id')
      .select('l.membership_id', 't.document_id', 't.name')
      .whereIn('l.membership_id', membershipIds)
      .orderBy('t.name', 'asc');
    for (const r of rows) {
      const list = byMembership.get(toInt(r.membership_id)) ?? [];
      list.push({ id: r.document_id, name: r.name });
      byMembership.set(toInt(r.membership_id), list);
    }
    return byMembership;
  };

  const presentMessages = async (
    viewer: Actor,
    rows: MessageRow[],
    threadDocumentIds: Map<number, string>,
    lastReadByThread: Map<number, number>,
    showDeleted?: boolean
  ) => {
    const people = getService('people');
    const [authors, canViewDeleted] = await Promise.all([
      people.summaries(rows.map((m) => m.authorId).filter((id): id is number => id !== null)),
      showDeleted ?? (rows.some((m) => m.deletedAt) ? people.canViewDeleted(viewer) : false),
    ]);
    return rows.map((m) => ({
      id: m.documentId,
      threadId: threadDocumentIds.get(m.threadId) as string,
      author: m.authorId === null ? null : (authors.get(m.authorId) as UserSummary),
      body: m.deletedAt && !canViewDeleted ? null : m.body,
      format: m.format,
      deleted: Boolean(m.deletedAt),
      isNew: m.authorId !== viewer.id && m.id > (lastReadByThread.get(m.threadId) ?? Number.MAX_SAFE_INTEGER),
      createdAt: m.createdAt,
    }));
  };

  /** Threads as `viewer` sees them, in the order given. */
  const presentThreads = async (viewer: Actor, views: MemberView[]) => {
    const threadIds = views.map((v) => v.thread.id);
    const lastMessageIds = views
      .filter((v) => v.thread.lastMessageId > v.membership.visibleAfterMessageId)
      .map((v) => v.thread.lastMessageId);
    const [members, lastMessages, tags] = await Promise.all([
      membershipsRepo.listMembers(knex(), threadIds),
      messagesRepo.findMessagesByIds(knex(), lastMessageIds),
      tagsOf(views.map((v) => v.membership.id)),
    ]);
    const summaries = await getService('people').summaries([
      ...members.map((m) => m.userId),
      ...lastMessages.map((m) => m.authorId).filter((id): id is number => id !== null),
    ]);
    const lastById = new Map(lastMessages.map((m) => [m.id, m]));

    return views.map(({ thread, membership }) => {
      const last = lastById.get(thread.lastMessageId);
      return {
        id: thread.documentId,
        subject: thread.subject,
        isGroup: thread.isGroup,
        participants: members
          .filter((m) => m.threadId === thread.id)
          .map((m) => ({ ...(summaries.get(m.userId) as UserSummary), left: m.left })),
        messageCount: membership.messageCount,
        unreadCount: membership.unreadCount,
        lastMessageAt: last ? last.createdAt : null,
        lastMessage: last
          ? {
              id: last.documentId,
              excerpt: last.deletedAt ? '' : last.excerpt,
              deleted: Boolean(last.deletedAt),
              author: last.authorId === null ? null : summaries.get(last.authorId),
            }
          : null,
        tags: tags.get(membership.id) ?? [],
        createdAt: thread.createdAt,
      };
    });
  };

  const requireView = async (viewer: Actor, threadDocumentId: string) => {
    const view = await membershipsRepo.findActiveMembership(knex(), viewer.id, threadDocumentId);
    if (!view) throw notFound('Thread');
    return view;
  };

  /** A page of messages, newest first from the database, returned oldest first with the cursor to older ones. */
  const messagePage = async (viewer: Actor, view: MemberView, limit: number, beforeId?: number) => {
    const rows = await messagesRepo.listThreadMessages(knex(), {
      threadId: view.thread.id,
      visibleAfterId: view.membership.visibleAfterMessageId,
      beforeId,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const olderCursor = rows.length > limit ? encodeCursor([page[page.length - 1].id], secret()) : null;
    const messages = await presentMessages(
      viewer,
      page.reverse(),
      new Map([[view.thread.id, view.thread.documentId]]),
      new Map([[view.thread.id, view.membership.lastReadMessageId]])
    );
    return { messages, olderCursor };
  };

  return {
    async list(viewer: Actor, query: { limit?: number; cursor?: string }) {
      const limit = query.limit ?? DEFAULT_PAGE_SIZE;
      let after: membershipsRepo.InboxCursor | undefined;
      if (query.cursor) {
        const values = decodeCursor(query.cursor, secret());
        if (!values || values.length !== 2 || !values.every((v) => Number.isInteger(v))) throw badCursor('cursor');
        after = { lastActivityAt: values[0] as number, threadId: values[1] as number };
      }
      const rows = await membershipsRepo.listInboxPage(knex(), viewer.id, limit + 1, after);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor =
        rows.length > limit ? encodeCursor([toMillis(last.membership.lastActivityAt), last.thread.id], secret()) : null;
      return { data: await presentThreads(viewer, page), meta: { nextCursor } };
    },

    /** The thread and its newest page of messages; never changes read state. */
    async get(viewer: Actor, threadDocumentId: string, query: { limit?: number }) {
      const view = await requireView(viewer, threadDocumentId);
      const [[thread], { messages, olderCursor }] = await Promise.all([
        presentThreads(viewer, [view]),
        messagePage(viewer, view, query.limit ?? DEFAULT_PAGE_SIZE),
      ]);
      return { data: { ...thread, messages }, meta: { olderCursor } };
    },

    async listMessages(viewer: Actor, threadDocumentId: string, query: { limit?: number; before?: string }) {
      const view = await requireView(viewer, threadDocumentId);
      let beforeId: number | undefined;
      if (query.before) {
        const values = decodeCursor(query.before, secret());
        if (!values || values.length !== 1 || !Number.isInteger(values[0])) throw badCursor('before');
        beforeId = values[0] as number;
      }
      const { messages, olderCursor } = await messagePage(viewer, view, query.limit ?? DEFAULT_PAGE_SIZE, beforeId);
      return { data: messages, meta: { olderCursor } };
    },

    async getThreadSummary(viewer: Actor, threadDocumentId: string) {
      const [thread] = await presentThreads(viewer, [await requireView(viewer, threadDocumentId)]);
      return thread;
    },

    /**
     * One message of a thread the viewer belongs to, body included even when deleted: the route
     * serving this is itself the "view deleted messages" permission.
     */
    async getMessage(viewer: Actor, messageDocumentId: string) {
      const message = await messagesRepo.findMessageByDocumentId(knex(), messageDocumentId);
      if (!message) throw notFound('Message');
      const membership = await membershipsRepo.findActiveMembershipByThreadId(knex(), viewer.id, message.threadId);
      if (!membership || message.id <= membership.visibleAfterMessageId) throw notFound('Message');
      const thread = await threadsRepo.findThreadById(knex(), message.threadId);
      const [presented] = await presentMessages(
        viewer,
        [message],
        new Map([[message.threadId, thread!.documentId]]),
        new Map([[message.threadId, membership.lastReadMessageId]]),
        true
      );
      return presented;
    },

    /** A message just written by `viewer` (so never new to them). */
    async presentMessage(viewer: Actor, message: MessageRow, threadDocumentId: string) {
      const [presented] = await presentMessages(
        viewer,
        [message],
        new Map([[message.threadId, threadDocumentId]]),
        new Map([[message.threadId, message.id]])
      );
      return presented;
    },
  };
};

export default inboxService;
