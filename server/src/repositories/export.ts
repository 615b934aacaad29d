import { parseStoredFields } from '../config/fields';
import { TABLES, toBool, toInt, toIso, type Db } from './db';
import { whereIdIn } from './dialect';
import { memberOf, memberSees, seenBy } from './visibility';

/*
 * A user's messaging data as one JSON document (GET /export), written piece by piece: each section
 * is a small function yielding JSON text, reading in pages of THREADS threads and MESSAGES messages,
 * so memory does not grow with the data. A feature that stores user data adds its section to
 * EXPORT_SECTIONS. What a member sees of a thread is the visibility rule (seenBy, memberSees).
 */

export const EXPORT_FORMAT = 'strapi-plugin-private-messages/export@1';

const THREADS = 200;
const MESSAGES = 1000;

type Chunks = AsyncGenerator<string>;
export type ExportSection = { name: string; write: (db: Db, userId: number) => Chunks };

/** A JSON array from pages of items: `[`, the items separated by commas, `]`. */
async function* array<T>(pages: AsyncGenerator<T[]>): Chunks {
  yield '[';
  let first = true;
  for await (const page of pages) {
    if (page.length === 0) continue;
    yield (first ? '' : ',') + page.map((item) => JSON.stringify(item)).join(',');
    first = false;
  }
  yield ']';
}

async function* once<T>(items: Promise<T[]>) {
  yield await items;
}

const preferences = async (db: Db, userId: number) => {
  const r = await db(TABLES.preferences)
    .select('messaging_enabled', 'email_notifications', 'allow_messages_from', 'email_digest', 'push', 'push_content')
    .where('user_id', userId)
    .first();
  const suspended = Boolean(await db(TABLES.suspensions).select('id').where('user_id', userId).first());
  return {
    messagingEnabled: r?.messaging_enabled == null ? null : toBool(r.messaging_enabled),
    emailNotifications: r?.email_notifications ?? null,
    allowMessagesFrom: r?.allow_messages_from ?? null,
    emailDigest: r?.email_digest ?? null,
    push: r?.push ?? null,
    pushContent: r?.push_content ?? null,
    suspended,
  };
};

const blocks = (db: Db, userId: number) =>
  db(TABLES.blocks)
    .select('blocked_id', 'created_at', 'through_message_id')
    .where('blocker_id', userId)
    .orderBy('id')
    .then((rows: Record<string, unknown>[]) =>
      rows.map((r) => ({ userId: r.blocked_id == null ? null : toInt(r.blocked_id), since: toIso(r.created_at), active: r.through_message_id == null }))
    );

/** Their contacts (whom they may write to without a message request), by user id. */
const contacts = (db: Db, userId: number) =>
  db(TABLES.contacts)
    .select('contact_id', 'created_at')
    .where('user_id', userId)
    .orderBy('id')
    .then((rows: Record<string, unknown>[]) => rows.map((r) => ({ userId: toInt(r.contact_id), since: toIso(r.created_at) })));

/** Their browsers' push subscriptions: the endpoint and when, never the keys. */
const pushSubscriptions = (db: Db, userId: number) =>
  db(TABLES.pushSubscriptions)
    .select('endpoint', 'created_at', 'last_ok_at')
    .where('user_id', userId)
    .orderBy('id')
    .then((rows: Record<string, unknown>[]) =>
      rows.map((r) => ({ endpoint: String(r.endpoint), createdAt: toIso(r.created_at), lastOkAt: r.last_ok_at == null ? null : toIso(r.last_ok_at) }))
    );

/** The files they uploaded (metadata only, never the bytes): staged ones have no message. */
const attachments = (db: Db, userId: number) =>
  db(`${TABLES.attachments} as a`)
    .leftJoin(`${TABLES.messages} as m`, 'm.id', 'a.message_id')
    .select('a.document_id', 'a.name', 'a.mime', 'a.size', 'a.created_at', 'm.document_id as message_document_id')
    .where('a.owner_id', userId)
    .orderBy('a.id')
    .then((rows: Record<string, unknown>[]) =>
      rows.map((r) => ({
        id: String(r.document_id),
        name: String(r.name),
        mime: String(r.mime),
        size: toInt(r.size),
        messageId: r.message_document_id == null ? null : String(r.message_document_id),
        createdAt: toIso(r.created_at),
      }))
    );

const tags = (db: Db, userId: number) =>
  db(TABLES.tags)
    .select('document_id', 'name', 'created_at')
    .where('owner_id', userId)
    .orderBy('id')
    .then((rows: Record<string, unknown>[]) => rows.map((r) => ({ id: String(r.document_id), name: String(r.name), createdAt: toIso(r.created_at) })));

const reports = (db: Db, userId: number) =>
  db(`${TABLES.reports} as r`)
    .leftJoin(`${TABLES.messages} as m`, 'm.id', 'r.message_id')
    .select('r.document_id', 'm.document_id as message_document_id', 'r.reason', 'r.status', 'r.created_at')
    .where('r.reporter_id', userId)
    .orderBy('r.id')
    .then((rows: Record<string, unknown>[]) =>
      rows.map((r) => ({ id: String(r.document_id), messageId: (r.message_document_id as string) ?? null, reason: r.reason, status: r.status, createdAt: toIso(r.created_at) }))
    );

/** The user's memberships, THREADS at a time, by thread id. */
async function* membershipPages(db: Db, userId: number) {
  let after = 0;
  for (;;) {
    const rows = await db(`${TABLES.memberships} as ms`)
      .join(`${TABLES.threads} as t`, 't.id', 'ms.thread_id')
      .select('ms.id as membership_id', 'ms.thread_id', 't.document_id', 't.subject', 't.fields', 't.context_uid', 't.context_document_id', 't.created_at')
      .select('ms.in_inbox', 'ms.archived', 'ms.unread_count', 'ms.left_at', 'ms.removed_at')
      .where('ms.user_id', userId)
      .where('ms.thread_id', '>', after)
      .orderBy('ms.thread_id')
      .limit(THREADS);
    if (rows.length === 0) return;
    yield rows as Record<string, unknown>[];
    if (rows.length < THREADS) return;
    after = toInt(rows[rows.length - 1].thread_id);
  }
}

/** Each thread's tags (by the user) and the members the user sees, for one page of threads. */
const threadDetails = async (db: Db, userId: number, page: Record<string, unknown>[]) => {
  const threadIds = page.map((r) => toInt(r.thread_id));
  const tagRows = await whereIdIn(db, db(`${TABLES.membershipTags} as l`), 'l.membership_id', page.map((r) => toInt(r.membership_id)))
    .join(`${TABLES.tags} as tg`, 'tg.id', 'l.tag_id')
    .select('l.membership_id', 'tg.name');
  const memberRows = await whereIdIn(db, db(`${TABLES.memberships} as ms`), 'ms.thread_id', threadIds)
    .join(`${TABLES.threads} as t`, 't.id', 'ms.thread_id')
    .join(`${TABLES.memberships} as o`, 'o.thread_id', 'ms.thread_id')
    .where('ms.user_id', userId)
    .whereRaw(memberSees('ms', 'o', 't'))
    .select('o.thread_id', 'o.user_id', 'o.left_at')
    .orderBy(['o.thread_id', 'o.user_id']);
  const tagsOf = new Map<number, string[]>();
  for (const r of tagRows as Record<string, unknown>[]) tagsOf.set(toInt(r.membership_id), [...(tagsOf.get(toInt(r.membership_id)) ?? []), String(r.name)]);
  const membersOf = new Map<number, { userId: number | null; left: boolean }[]>();
  for (const r of memberRows as Record<string, unknown>[]) {
    const list = membersOf.get(toInt(r.thread_id)) ?? [];
    list.push({ userId: r.user_id == null ? null : toInt(r.user_id), left: r.left_at != null });
    membersOf.set(toInt(r.thread_id), list);
  }
  return { tagsOf, membersOf };
};

/** The messages of these threads the user sees, oldest first, MESSAGES at a time. */
async function* messagePages(db: Db, userId: number, threadIds: number[]) {
  let after = { threadId: 0, id: 0 };
  for (;;) {
    const rows = (await whereIdIn(db, db(`${TABLES.messages} as m`), 'm.thread_id', threadIds)
      .join(`${TABLES.memberships} as ms`, (j) => j.on('ms.thread_id', 'm.thread_id').andOnVal('ms.user_id', userId))
      .whereRaw(seenBy('m', memberOf('ms')))
      .where((w) => w.where('m.thread_id', '>', after.threadId).orWhere((x) => x.where('m.thread_id', after.threadId).where('m.id', '>', after.id)))
      .select('m.id', 'm.thread_id', 'm.document_id', 'm.author_id', 'm.body', 'm.format', 'm.fields', 'm.created_at', 'm.deleted_at')
      .orderBy(['m.thread_id', 'm.id'])
      .limit(MESSAGES)) as Record<string, unknown>[];
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < MESSAGES) return;
    const last = rows[rows.length - 1];
    after = { threadId: toInt(last.thread_id), id: toInt(last.id) };
  }
}

const message = (r: Record<string, unknown>) => {
  const deleted = r.deleted_at != null;
  return {
    id: String(r.document_id),
    author: r.author_id == null ? null : { id: toInt(r.author_id) },
    body: deleted ? null : r.body,
    format: r.format,
    fields: parseStoredFields(r.fields),
    deleted,
    createdAt: toIso(r.created_at),
  };
};

/** Threads, each with its messages: written thread by thread, a thread's messages page by page. */
async function* threads(db: Db, userId: number): Chunks {
  yield '[';
  let firstThread = true;
  for await (const page of membershipPages(db, userId)) {
    const { tagsOf, membersOf } = await threadDetails(db, userId, page);
    const openThread = (r: Record<string, unknown>) => {
      const head = JSON.stringify({
        id: String(r.document_id),
        subject: r.subject ?? '',
        fields: parseStoredFields(r.fields),
        context: r.context_uid == null ? null : { uid: String(r.context_uid), documentId: String(r.context_document_id) },
        createdAt: toIso(r.created_at),
        folder: r.left_at != null ? 'left' : r.removed_at != null && !toBool(r.in_inbox) ? 'removed' : toBool(r.archived) ? 'archived' : 'inbox',
        unreadCount: toInt(r.unread_count),
        tags: tagsOf.get(toInt(r.membership_id)) ?? [],
        members: membersOf.get(toInt(r.thread_id)) ?? [],
      });
      const text = `${firstThread ? '' : ','}${head.slice(0, -1)},"messages":[`;
      firstThread = false;
      return text;
    };
    const byId = new Map(page.map((r) => [toInt(r.thread_id), r]));
    let current: number | null = null;
    let firstMessage = true;
    const written = new Set<number>();
    for await (const rows of messagePages(db, userId, [...byId.keys()])) {
      let out = '';
      for (const r of rows) {
        const threadId = toInt(r.thread_id);
        if (threadId !== current) {
          // Threads of this page without a message the user sees come in thread-id order too.
          for (const id of byId.keys()) {
            if (id >= threadId || written.has(id)) continue;
            out += (current === null ? '' : ']}') + openThread(byId.get(id)!);
            current = id;
            written.add(id);
          }
          out += (current === null ? '' : ']}') + openThread(byId.get(threadId)!);
          current = threadId;
          written.add(threadId);
          firstMessage = true;
        }
        out += (firstMessage ? '' : ',') + JSON.stringify(message(r));
        firstMessage = false;
      }
      yield out;
    }
    let out = '';
    for (const id of byId.keys()) {
      if (written.has(id)) continue;
      out += (current === null ? '' : ']}') + openThread(byId.get(id)!);
      current = id;
    }
    if (current !== null) out += ']}';
    if (out) yield out;
  }
  yield ']';
}

/** The document's sections, in order. */
export const EXPORT_SECTIONS: ExportSection[] = [
  { name: 'preferences', write: async function* (db, userId) { yield JSON.stringify(await preferences(db, userId)); } },
  { name: 'blocks', write: (db, userId) => array(once(blocks(db, userId))) },
  { name: 'tags', write: (db, userId) => array(once(tags(db, userId))) },
  { name: 'reports', write: (db, userId) => array(once(reports(db, userId))) },
  { name: 'contacts', write: (db, userId) => array(once(contacts(db, userId))) },
  { name: 'pushSubscriptions', write: (db, userId) => array(once(pushSubscriptions(db, userId))) },
  { name: 'attachments', write: (db, userId) => array(once(attachments(db, userId))) },
  { name: 'threads', write: threads },
];

/** The whole document, as text chunks. */
export async function* exportDocument(db: Db, userId: number, now = new Date()): Chunks {
  yield `{"format":${JSON.stringify(EXPORT_FORMAT)},"exportedAt":${JSON.stringify(now.toISOString())},"user":{"id":${userId}}`;
  for (const section of EXPORT_SECTIONS) {
    yield `,${JSON.stringify(section.name)}:`;
    yield* section.write(db, userId);
  }
  yield '}';
}
