import type { Core } from '@strapi/strapi';
import * as membershipsRepo from '../repositories/memberships';
import type { MemberView, MessagePreview } from '../repositories/memberships';
import type { Folder } from '../repositories/membership-folders';
import * as messagesRepo from '../repositories/messages';
import * as threadsRepo from '../repositories/threads';
import { startedThreadView } from '../repositories/started-thread-view';
import * as tagsRepo from '../repositories/tags';
import type { MessageRow } from '../repositories/messages';
import { threadHasMatch } from '../repositories/message-search';
import { parseQuery } from '../utils/search-text';
import { toMillis } from '../repositories/db';
import { participantsOf, shownToViewer, type Participant as Member } from './inbox-participants';
import { decodeIntegerCursor, encodeCursor } from '../utils/cursor';
import { forbidden, notFound, validationError } from '../utils/errors';
import { getService } from '../utils/get-service';
import type { Actor, UserSummary } from './people';
import { resolveOwnTags } from './own-tags';

export const DEFAULT_PAGE_SIZE = 25;
/**
 * Participants shown per thread: a group of 1,000 members must not cost 1,000 user lookups on every
 * inbox page. `participantCount` gives the total.
 */
export const PARTICIPANTS_IN_LISTS = threadsRepo.PARTICIPANT_PREVIEW_SIZE;
export const PARTICIPANTS_IN_THREAD = 100;

/**
 * Reading: the inbox, a thread with its newest messages, older pages. Each page is a fixed
 * number of queries (page, then batched lookups of members, users, last messages and tags).
 */
const inboxService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const secret = () => getService('settings').cursorSecret();
  /** The integers of a cursor the caller sent back, or a 400 naming the query key. */
  const readCursor = (cursor: string, key: string, length: number) => {
    const values = decodeIntegerCursor(cursor, secret(), length);
    if (!values) throw validationError(`Invalid ${key}`, [{ path: [key], message: 'is not a valid cursor' }]);
    return values;
  };

  const tagsOf = (membershipIds: number[]) => tagsRepo.tagsOfMemberships(knex(), membershipIds);

  const shownTo = (viewer: Actor, view: MemberView) => shownToViewer(viewer.id, view);
  const membersOf = (viewer: Actor, views: MemberView[], perThread: number) => participantsOf(knex(), viewer.id, views, perThread);

  const presentMessages = async (
    viewer: Actor,
    rows: MessageRow[],
    threadDocumentIds: Map<number, string>,
    lastReadByThread: Map<number, number>,
    showDeleted?: boolean
  ) => {
    const people = getService('people');
    const [authors, canViewDeleted, files] = await Promise.all([
      people.summaries(rows.map((m) => m.authorId).filter((id): id is number => id !== null)),
      showDeleted ?? (rows.some((m) => m.deletedAt) ? people.canViewDeleted(viewer) : false),
      getService('attachments').forMessages(rows.map((m) => m.id)),
    ]);
    const fields = getService('fields');
    return rows.map((m) => ({
      id: m.documentId,
      threadId: threadDocumentIds.get(m.threadId) as string,
      author: m.authorId === null ? null : (authors.get(m.authorId) as UserSummary),
      body: m.deletedAt && !canViewDeleted ? null : m.body,
      format: m.format,
      deleted: Boolean(m.deletedAt),
      isNew: m.authorId !== viewer.id && m.id > (lastReadByThread.get(m.threadId) ?? Number.MAX_SAFE_INTEGER),
      fields: fields.presentMessage(m.fields),
      // A deleted message's files are hidden with its body.
      attachments: m.deletedAt && !canViewDeleted ? [] : (files.get(m.id) ?? []),
      createdAt: m.createdAt,
    }));
  };

  /**
   * Threads as `viewer` sees them, in the order given, with at most `participantsPerThread`
   * participants each. The views carry their last message and, in lists, their participants
   * (memberViews); beyond them, a list page costs two statements at once: the users, and the
   * viewer's tags (a thread's own view reads its participants first). `known` gives the members
   * and tags instead (a thread just written: nothing to read back).
   */
  type Known = { members: Member[]; tags: Awaited<ReturnType<typeof tagsOf>> };
  const presentThreads = async (viewer: Actor, views: MemberView[], participantsPerThread: number, known?: Known) => {
    const people = getService('people');
    const authorIds = (messages: MessagePreview[]) => messages.map((m) => m.authorId).filter((id): id is number => id !== null);
    const visibleLast = views.flatMap((v) => (v.lastMessage && !v.lastMessageHidden ? [v.lastMessage] : []));
    // A thread's last message may not be the viewer's to see (visibility.seenBy): show their newest one (rare).
    const hidden = views.filter((v) => v.lastMessageHidden);
    // Members (from previews: no statement), their summaries, tags and replacements at once.
    const [replacements, { members, summaries }, tags] = await Promise.all([
      hidden.length > 0
        ? messagesRepo.newestVisibleMessages(
            knex(),
            viewer.id,
            hidden.map((v) => ({
              threadId: v.thread.id,
              visibleAfterId: v.membership.visibleAfterMessageId,
              hidden: v.membership.hidden,
              requestState: v.membership.requestState,
            }))
          )
        : [],
      (known ? Promise.resolve(known.members) : membersOf(viewer, views, participantsPerThread)).then(async (members) => ({
        members,
        summaries: await people.summaries([...members.map((m) => m.userId), ...authorIds(visibleLast)]),
      })),
      known?.tags ?? tagsOf(views.map((v) => v.membership.id)),
    ]);
    const unsummarized = authorIds(replacements).filter((id) => !summaries.has(id));
    if (unsummarized.length > 0) for (const [id, summary] of await people.summaries(unsummarized)) summaries.set(id, summary);
    const lastMessages = [...visibleLast, ...replacements];
    const lastByThread = new Map(lastMessages.map((m) => [m.threadId, m]));
    const participantsByThread = new Map<number, (UserSummary & { left: boolean })[]>();
    for (const m of members) {
      const summary = summaries.get(m.userId) as UserSummary;
      // users-permissions requires a username: none means the user was deleted since (a preview may still list them).
      if (summary.username === null) continue;
      const list = participantsByThread.get(m.threadId) ?? [];
      list.push({ ...summary, left: m.left });
      participantsByThread.set(m.threadId, list);
    }

    const fields = getService('fields');
    // The documents the threads are about, read now: one query per content type on the page.
    const contextOf = await getService('contexts').present(views.map((v) => v.thread));
    return views.map((view) => {
      const { thread, membership } = view;
      const last = lastByThread.get(thread.id);
      // A broadcast's recipients see a conversation with its starter; listed users, the listed members.
      const shown = shownTo(viewer, view);
      return {
        id: thread.documentId,
        subject: thread.subject,
        isGroup: shown.scope === 'all' ? thread.isGroup : shown.count > 2,
        participants: participantsByThread.get(thread.id) ?? [],
        participantCount: shown.count,
        roles: thread.roles.map((r) => ({ id: r.id, name: r.name })),
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
        // Where the thread is for the viewer (repositories/membership-folders); a removed one reads as the inbox it returns to.
        folder:
          membership.requestState === 'pending' ? ('requests' as const) : membership.archived && membership.inInbox ? ('archived' as const) : ('inbox' as const),
        fields: fields.presentThread(thread.fields),
        context: contextOf(thread),
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
      viewer: {
        userId: viewer.id,
        hidden: view.membership.hidden,
        visibleAfterMessageId: view.membership.visibleAfterMessageId,
        requestState: view.membership.requestState,
      },
      threadId: view.thread.id,
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
    /**
     * A folder (the inbox by default), newest activity first, optionally filtered (all filters
     * combine, and combine with the cursor, which is the same for every folder). A `tag` that is
     * not one of the viewer's tags is a 404, like any tag route.
     */
    async list(
      viewer: Actor,
      query: {
        limit?: number; cursor?: string; tag?: string; participant?: number; q?: string; in?: 'subject' | 'all'; unread?: boolean; folder?: Folder;
        context?: string; contextId?: string;
      }
    ) {
      const folder = query.folder ?? 'inbox';
      const limit = query.limit ?? DEFAULT_PAGE_SIZE;
      const [lastActivityAt, threadId] = query.cursor ? readCursor(query.cursor, 'cursor', 2) : [];
      const after: membershipsRepo.InboxCursor | undefined = query.cursor ? { lastActivityAt, threadId } : undefined;
      const filters: membershipsRepo.InboxFilters = {
        participantId: query.participant,
        subjectContains: query.q,
        unreadOnly: query.unread,
      };
      // `in=all`: the words of q in a message the viewer sees, through the search index, as well.
      const words = query.q && query.in === 'all' ? parseQuery(query.q)?.words : undefined;
      if (words) filters.orMessageMatch = await threadHasMatch(knex(), words);
      if (query.contextId && !query.context) throw validationError('Invalid query: contextId needs context', [{ path: ['contextId'], message: 'needs context (the content type uid)' }]);
      if (query.context) filters.context = { uid: query.context, documentId: query.contextId };
      if (query.tag) {
        const [tag] = await resolveOwnTags(knex(), viewer, [query.tag]);
        filters.tagId = tag.id;
      }
      const rows = await membershipsRepo.listInboxPage(knex(), viewer.id, limit + 1, after, filters, folder);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor =
        rows.length > limit ? encodeCursor([toMillis(last.membership.lastActivityAt), last.thread.id], secret()) : null;
      return { data: await presentThreads(viewer, page, PARTICIPANTS_IN_LISTS), meta: { nextCursor } };
    },

    /** The thread and its newest page of messages; never changes read state. */
    async get(viewer: Actor, threadDocumentId: string, query: { limit?: number }) {
      const view = await requireView(viewer, threadDocumentId);
      const [[thread], { messages, olderCursor }] = await Promise.all([
        presentThreads(viewer, [view], PARTICIPANTS_IN_THREAD),
        messagePage(viewer, view, query.limit ?? DEFAULT_PAGE_SIZE),
      ]);
      return { data: { ...thread, messages }, meta: { olderCursor } };
    },

    async listMessages(viewer: Actor, threadDocumentId: string, query: { limit?: number; before?: string }) {
      const view = await requireView(viewer, threadDocumentId);
      const beforeId = query.before ? readCursor(query.before, 'before', 1)[0] : undefined;
      const { messages, olderCursor } = await messagePage(viewer, view, query.limit ?? DEFAULT_PAGE_SIZE, beforeId);
      return { data: messages, meta: { olderCursor } };
    },

    async getThreadSummary(viewer: Actor, threadDocumentId: string) {
      const [thread] = await presentThreads(viewer, [await requireView(viewer, threadDocumentId)], PARTICIPANTS_IN_THREAD);
      return thread;
    },

    /**
     * A thread its author just started, as getThreadSummary would read it back, from what was written:
     * the starter sees every member (the first PARTICIPANTS_IN_THREAD by user id); no tags yet.
     */
    async presentStartedThread(author: Actor, { thread, message, memberIds }: { thread: threadsRepo.ThreadRow; message: MessageRow; memberIds: number[] }) {
      const members = [...new Set(memberIds)].sort((a, b) => a - b).slice(0, PARTICIPANTS_IN_THREAD);
      const known = { members: members.map((userId) => ({ threadId: thread.id, userId, left: false })), tags: new Map() };
      return (await presentThreads(author, [startedThreadView(thread, message, author.id)], PARTICIPANTS_IN_THREAD, known))[0];
    },

    /**
     * One message of a thread the viewer belongs to, body included even when deleted: the route
     * serving this is itself the "view deleted messages" permission.
     */
    async getMessage(viewer: Actor, messageDocumentId: string) {
      const visible = await messagesRepo.findVisibleMessage(knex(), viewer.id, messageDocumentId);
      if (!visible) throw notFound('Message');
      const { message } = visible;
      // The route is the users-permissions action; the setting may restrict it further.
      if (!(await getService('people').canViewDeleted(viewer))) throw forbidden('Your role may not view deleted messages');
      const thread = await threadsRepo.findThreadById(knex(), message.threadId);
      const [presented] = await presentMessages(
        viewer,
        [message],
        new Map([[message.threadId, thread!.documentId]]),
        new Map([[message.threadId, visible.lastReadMessageId]]),
        true
      );
      return presented;
    },

    /** Messages found for `viewer` elsewhere (search): the thread view's shape, in the order given. */
    presentMessageRows: presentMessages,

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
