import type { ContentApiRoute } from '../../server/src/contract/routes';
import { createTransport, fillPath, newIdempotencyKey, type ClientOptions } from './http';
import { pages, items } from './pages';
import { createStream, type StreamOptions } from './stream';
import type {
  BodyOf,
  InboxQuery,
  NewThreadWithFields,
  Operation,
  ParamsOf,
  QueryOf,
  ReplyWithFields,
  ResponseOf,
  SiteFields,
  Thread,
  WithSiteFields,
} from './types';

/** The contract's method and path of each operation: an entry that is not them does not compile. */
type RouteTable = { [O in Operation]: readonly [Extract<ContentApiRoute, { operation: O }>['method'], Extract<ContentApiRoute, { operation: O }>['path']] };

/**
 * Method and path of every operation of the contract (the client's bundle holds nothing of the
 * server's, so not the table itself): a missing operation, or a method or path other than the
 * table's, is a compile error.
 */
export const ROUTES: Record<Operation, readonly [method: string, path: string]> = {
  'threads.list': ['GET', '/threads'],
  'threads.create': ['POST', '/threads'],
  'threads.bulk': ['POST', '/threads/actions'],
  'threads.byContext': ['GET', '/threads/by-context'],
  'threads.get': ['GET', '/threads/:id'],
  'threads.messages': ['GET', '/threads/:id/messages'],
  'threads.reply': ['POST', '/threads/:id/messages'],
  'threads.markRead': ['POST', '/threads/:id/read'],
  'threads.markUnread': ['POST', '/threads/:id/unread'],
  'threads.leave': ['POST', '/threads/:id/leave'],
  'threads.archive': ['POST', '/threads/:id/archive'],
  'threads.unarchive': ['POST', '/threads/:id/unarchive'],
  'threads.accept': ['POST', '/threads/:id/accept'],
  'threads.decline': ['POST', '/threads/:id/decline'],
  'threads.remove': ['DELETE', '/threads/:id'],
  'threads.setTags': ['PUT', '/threads/:id/tags'],
  'tags.list': ['GET', '/tags'],
  'tags.create': ['POST', '/tags'],
  'tags.rename': ['PUT', '/tags/:id'],
  'tags.remove': ['DELETE', '/tags/:id'],
  'messages.remove': ['DELETE', '/messages/:id'],
  'messages.deletedBody': ['GET', '/messages/:id/deleted-body'],
  'messages.report': ['POST', '/messages/:id/report'],
  search: ['GET', '/search'],
  unreadCount: ['GET', '/unread-count'],
  'recipients.search': ['GET', '/recipients'],
  'recipients.canMessage': ['GET', '/can-message/:userId'],
  'recipients.roles': ['GET', '/role-recipients'],
  'blocks.list': ['GET', '/blocks'],
  'blocks.create': ['POST', '/blocks'],
  'blocks.remove': ['DELETE', '/blocks/:userId'],
  'preferences.get': ['GET', '/preferences'],
  'preferences.update': ['PUT', '/preferences'],
  'export.download': ['GET', '/export'],
  'push.key': ['GET', '/push/key'],
  'push.subscribe': ['POST', '/push/subscriptions'],
  'push.unsubscribe': ['DELETE', '/push/subscriptions'],
  'stream.ticket': ['POST', '/stream/tickets'],
  'stream.connect': ['GET', '/stream'],
  'attachments.upload': ['POST', '/attachments'],
  'attachments.content': ['GET', '/attachments/:id/content'],
  'attachments.thumbnail': ['GET', '/attachments/:id/thumbnail'],
} satisfies RouteTable;

type CallInput<O extends Operation> = {
  params?: ParamsOf<O>;
  query?: QueryOf<O>;
  body?: BodyOf<O>;
  signal?: AbortSignal;
};

type Opts = { signal?: AbortSignal };

/**
 * A typed client of the plugin's content API. Every method resolves to the route's answer
 * (`{data, meta}`; nothing for 204 routes) and rejects with a PrivateMessagesError. `F` types
 * the site's custom fields (SiteFields) on threads and messages, in and out.
 */
export const createPrivateMessagesClient = <F extends SiteFields = SiteFields>(options: ClientOptions) => {
  const transport = createTransport(options);

  /** Any operation of the contract, by name: the methods below are this with their arguments named. */
  const call = <O extends Operation>(operation: O, input: CallInput<O> = {}): Promise<WithSiteFields<ResponseOf<O>, F>> => {
    const [method, path] = ROUTES[operation];
    // Every send carries a key of its own, so the transport may repeat it safely.
    const idempotencyKey = operation === 'threads.create' || operation === 'threads.reply' ? newIdempotencyKey() : undefined;
    return transport.request<WithSiteFields<ResponseOf<O>, F>>(method, path, { ...input, idempotencyKey } as never);
  };
  const id = (value: string) => ({ id: value }) as never;

  const threads = {
    list: (query: InboxQuery = {}, o: Opts = {}) => call('threads.list', { query, ...o }),
    /** Every page of the inbox from the first, following `meta.nextCursor`. */
    pages: (query: Omit<InboxQuery, 'cursor'> = {}, o: Opts = {}) =>
      pages((cursor) => call('threads.list', { query: { ...query, cursor }, ...o }), (page) => page.meta.nextCursor),
    /** Every thread of the inbox, one page at a time. */
    // Typed here: inferring from a page whose fields wait for F would lose them.
    all: (query: Omit<InboxQuery, 'cursor'> = {}, o: Opts = {}) =>
      items(threads.pages(query, o) as AsyncIterable<{ data: WithSiteFields<Thread, F>[] }>),
    create: (body: NewThreadWithFields<F>, o: Opts = {}) => call('threads.create', { body: body as BodyOf<'threads.create'>, ...o }),
    get: (threadId: string, query: QueryOf<'threads.get'> = {}, o: Opts = {}) => call('threads.get', { params: id(threadId), query, ...o }),
    messages: (threadId: string, query: QueryOf<'threads.messages'> = {}, o: Opts = {}) =>
      call('threads.messages', { params: id(threadId), query, ...o }),
    /** Pages of older messages, starting before `before` (a thread's `meta.olderCursor`), following `meta.olderCursor`. */
    olderPages: (threadId: string, before: string | null, query: { limit?: number } = {}, o: Opts = {}) =>
      pages((cursor) => call('threads.messages', { params: id(threadId), query: { ...query, before: cursor }, ...o }), (p) => p.meta.olderCursor, before),
    reply: (threadId: string, body: ReplyWithFields<F>, o: Opts = {}) =>
      call('threads.reply', { params: id(threadId), body: body as BodyOf<'threads.reply'>, ...o }),
    markRead: (threadId: string, o: Opts = {}) => call('threads.markRead', { params: id(threadId), body: {}, ...o }),
    markUnread: (threadId: string, o: Opts = {}) => call('threads.markUnread', { params: id(threadId), body: {}, ...o }),
    leave: (threadId: string, o: Opts = {}) => call('threads.leave', { params: id(threadId), body: {}, ...o }),
    archive: (threadId: string, o: Opts = {}) => call('threads.archive', { params: id(threadId), body: {}, ...o }),
    unarchive: (threadId: string, o: Opts = {}) => call('threads.unarchive', { params: id(threadId), body: {}, ...o }),
    /** A message request: accept it (into the inbox, its author a contact), or decline it (`block` blocks its author too). */
    accept: (threadId: string, o: Opts = {}) => call('threads.accept', { params: id(threadId), body: {}, ...o }),
    decline: (threadId: string, body: { block?: boolean } = {}, o: Opts = {}) => call('threads.decline', { params: id(threadId), body, ...o }),
    remove: (threadId: string, o: Opts = {}) => call('threads.remove', { params: id(threadId), ...o }),
    setTags: (threadId: string, tagIds: string[], o: Opts = {}) => call('threads.setTags', { params: id(threadId), body: { tags: tagIds }, ...o }),
    bulk: (body: BodyOf<'threads.bulk'>, o: Opts = {}) => call('threads.bulk', { body, ...o }),
    /** The caller's own thread about a document (ask with `create({context, body})`); 404 when none. */
    byContext: (uid: string, documentId: string, o: Opts = {}) => call('threads.byContext', { query: { uid, documentId }, ...o }),
  };

  const tags = {
    list: (o: Opts = {}) => call('tags.list', o),
    create: (name: string, o: Opts = {}) => call('tags.create', { body: { name }, ...o }),
    rename: (tagId: string, name: string, o: Opts = {}) => call('tags.rename', { params: id(tagId), body: { name }, ...o }),
    remove: (tagId: string, o: Opts = {}) => call('tags.remove', { params: id(tagId), ...o }),
  };

  const messages = {
    remove: (messageId: string, o: Opts = {}) => call('messages.remove', { params: id(messageId), ...o }),
    deletedBody: (messageId: string, o: Opts = {}) => call('messages.deletedBody', { params: id(messageId), ...o }),
    report: (messageId: string, reason: string, o: Opts = {}) => call('messages.report', { params: id(messageId), body: { reason }, ...o }),
  };

  const recipients = {
    search: (q: string, query: { limit?: number } = {}, o: Opts = {}) => call('recipients.search', { query: { q, ...query }, ...o }),
    canMessage: (userId: number, o: Opts = {}) => call('recipients.canMessage', { params: { userId } as never, ...o }),
    roles: (o: Opts = {}) => call('recipients.roles', o),
  };

  const blocks = {
    list: (o: Opts = {}) => call('blocks.list', o),
    create: (userId: number, o: Opts = {}) => call('blocks.create', { body: { userId }, ...o }),
    remove: (userId: number, o: Opts = {}) => call('blocks.remove', { params: { userId } as never, ...o }),
  };

  const preferences = {
    get: (o: Opts = {}) => call('preferences.get', o),
    update: (body: BodyOf<'preferences.update'>, o: Opts = {}) => call('preferences.update', { body, ...o }),
  };

  /** Web push: the server's key for PushManager.subscribe, and this browser's subscription (its toJSON()). */
  const push = {
    key: (o: Opts = {}) => call('push.key', o),
    subscribe: (subscription: BodyOf<'push.subscribe'>, o: Opts = {}) => call('push.subscribe', { body: subscription, ...o }),
    unsubscribe: (endpoint: string, o: Opts = {}) => call('push.unsubscribe', { body: { endpoint }, ...o }),
  };

  /**
   * Files on messages: `upload` stages them (Blob or File objects) and answers their ids, for a
   * send's or a reply's `attachments`; `content`/`thumbnail` fetch the bytes with the caller's
   * credentials (an attachment's `url` needs them: it is never a public link).
   */
  const attachments = {
    upload: (files: Blob[], o: Opts = {}) => transport.upload<ResponseOf<'attachments.upload'>>(ROUTES['attachments.upload'][1], files, o.signal),
    content: (attachmentId: string, o: Opts = {}) => transport.blob(fillPath(ROUTES['attachments.content'][1], { id: attachmentId }), o.signal),
    thumbnail: (attachmentId: string, o: Opts = {}) => transport.blob(fillPath(ROUTES['attachments.thumbnail'][1], { id: attachmentId }), o.signal),
  };

  /** Everything the plugin holds about the caller, as one JSON document (docs/api.md, *Privacy*). */
  const exportData = {
    download: (o: Opts = {}) => call('export.download', o),
  };

  const ticket = (o: Opts = {}) => call('stream.ticket', { body: {}, ...o });
  /** The real-time stream: see StreamOptions. Returns a handle whose `close()` ends it. */
  const stream = Object.assign((streamOptions: StreamOptions) => createStream(transport, streamOptions, ticket), { ticket });

  return {
    call,
    threads,
    tags,
    messages,
    recipients,
    blocks,
    preferences,
    push,
    attachments,
    export: exportData,
    unreadCount: (o: Opts = {}) => call('unreadCount', o),
    /** The caller's messages holding every word of `q` (the last one as a prefix), newest first; `meta.nextCursor` pages. */
    search: (q: string, query: Omit<QueryOf<'search'>, 'q'> = {}, o: Opts = {}) => call('search', { query: { ...query, q }, ...o }),
    stream,
  };
};

export type PrivateMessagesClient<F extends SiteFields = SiteFields> = ReturnType<typeof createPrivateMessagesClient<F>>;
