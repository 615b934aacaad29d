import { TABLES, strapiColumns, toInt, toIso, type Db } from './db';
import { memberOf, seenBy } from './visibility';

/*
 * Attachments (pm_attachments): a file's row. `message_id` null means staged (uploaded, not sent
 * yet): only its owner may attach it, once; a send sets `message_id` and it never changes again.
 * The bytes are in the storage (server/src/storage), under `storage_key` (and `thumbnail_key`).
 */

export type AttachmentRow = {
  id: number;
  documentId: string;
  ownerId: number;
  messageId: number | null;
  name: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  storageKey: string;
  thumbnailKey: string | null;
  sha256: string;
  createdAt: string;
};

const COLUMNS = ['id', 'document_id', 'owner_id', 'message_id', 'name', 'mime', 'size', 'width', 'height', 'storage_key', 'thumbnail_key', 'checksum', 'created_at'];
const cols = (alias: string) => COLUMNS.map((c) => `${alias}.${c}`);
const intOrNull = (v: unknown) => (v === null || v === undefined ? null : toInt(v));

const mapRow = (r: Record<string, unknown>): AttachmentRow => ({
  id: toInt(r.id),
  documentId: String(r.document_id),
  ownerId: toInt(r.owner_id),
  messageId: intOrNull(r.message_id),
  name: String(r.name ?? ''),
  mime: String(r.mime),
  size: toInt(r.size),
  width: intOrNull(r.width),
  height: intOrNull(r.height),
  storageKey: String(r.storage_key),
  thumbnailKey: (r.thumbnail_key as string | null) ?? null,
  sha256: String(r.checksum ?? ''),
  createdAt: toIso(r.created_at) as string,
});

export type NewAttachment = Omit<AttachmentRow, 'id' | 'messageId' | 'createdAt'>;

export const insertStaged = async (db: Db, rows: NewAttachment[], now: Date) => {
  if (rows.length === 0) return;
  await db(TABLES.attachments).insert(
    rows.map((r) => ({
      ...strapiColumns(r.documentId, now),
      owner_id: r.ownerId,
      message_id: null,
      name: r.name,
      mime: r.mime,
      size: r.size,
      width: r.width,
      height: r.height,
      storage_key: r.storageKey,
      thumbnail_key: r.thumbnailKey,
      checksum: r.sha256,
    }))
  );
};

/** Of these documentIds, the ones `ownerId` staged and has not sent yet. */
export const findStagedOf = async (db: Db, ownerId: number, documentIds: string[]) =>
  documentIds.length === 0
    ? []
    : (await db(TABLES.attachments).select(COLUMNS).whereIn('document_id', documentIds).where('owner_id', ownerId).whereNull('message_id')).map(mapRow);

/**
 * Attaches the owner's staged files to a message, in the send's transaction: only rows still
 * staged and theirs move, so a file is never on two messages (two sends racing for it: one gets
 * them all, the other sees fewer rows than asked and rolls back). Answers how many moved.
 */
export const claimStaged = async (db: Db, input: { ownerId: number; messageId: number; documentIds: string[]; now: Date }) =>
  toInt(
    await db(TABLES.attachments)
      .whereIn('document_id', input.documentIds)
      .where('owner_id', input.ownerId)
      .whereNull('message_id')
      .update({ message_id: input.messageId, updated_at: input.now })
  );

/** The attachments of these messages, in upload order (one statement for a page of messages). */
export const attachmentsOfMessages = async (db: Db, messageIds: number[]) =>
  messageIds.length === 0
    ? []
    : (await db(TABLES.attachments).select(COLUMNS).whereIn('message_id', messageIds).orderBy('id')).map(mapRow);

/**
 * An attachment `viewerId` may fetch, with whether its message is deleted: one on a message they
 * see (a current member of its thread, and visibility.seenBy: removal, broadcasts, blocks), or
 * their own staged file. Null for anything else, answered as a 404.
 */
export const findViewableAttachment = async (db: Db, viewerId: number, documentId: string) => {
  const sent = await db(`${TABLES.attachments} as a`)
    .join(`${TABLES.messages} as m`, 'm.id', 'a.message_id')
    .join(`${TABLES.memberships} as ms`, (j) => j.on('ms.thread_id', 'm.thread_id').andOnVal('ms.user_id', viewerId))
    .select(...cols('a'), 'm.deleted_at as message_deleted_at', 'm.thread_id as message_thread_id')
    .where('a.document_id', documentId)
    .whereNull('ms.left_at')
    .whereRaw(seenBy('m', memberOf('ms')))
    .first();
  if (sent) return { attachment: mapRow(sent), messageDeleted: sent.message_deleted_at != null, threadId: toInt(sent.message_thread_id) };
  const staged = await db(TABLES.attachments).select(COLUMNS).where({ document_id: documentId, owner_id: viewerId }).whereNull('message_id').first();
  return staged ? { attachment: mapRow(staged), messageDeleted: false, threadId: null } : null;
};

/** An attachment by documentId, whatever its state (the moderators' view of a reported message). */
export const findAttachment = async (db: Db, documentId: string) => {
  const row = await db(TABLES.attachments).select(COLUMNS).where({ document_id: documentId }).first();
  return row ? mapRow(row) : null;
};

/** Up to `limit` staged files uploaded before `cutoff` (nobody sent them in time). */
export const listStagedBefore = async (db: Db, cutoff: Date, limit: number) =>
  (await db(TABLES.attachments).select(COLUMNS).whereNull('message_id').where('created_at', '<', cutoff).orderBy('id').limit(limit)).map(mapRow);

/** How many files `ownerId` has staged and not sent, and their bytes as stored (the staged cap). */
export const stagedTotalsOf = async (db: Db, ownerId: number) => {
  const row: Record<string, unknown> | undefined = await db(TABLES.attachments)
    .where('owner_id', ownerId)
    .whereNull('message_id')
    .count({ files: '*' })
    .sum({ bytes: 'size' })
    .first();
  return { files: toInt(row?.files ?? 0), bytes: toInt(row?.bytes ?? 0) };
};

/** Every staged file of a user (erasure). */
export const listStagedOfOwner = async (db: Db, ownerId: number) =>
  (await db(TABLES.attachments).select(COLUMNS).where('owner_id', ownerId).whereNull('message_id')).map(mapRow);

/** Every file a user uploaded, staged or sent (erasure in `delete` mode). */
export const listAllOfOwner = async (db: Db, ownerId: number) =>
  (await db(TABLES.attachments).select(COLUMNS).where('owner_id', ownerId)).map(mapRow);

/** The files of every message of these threads (threads deleted whole). */
export const attachmentsOfThreads = async (db: Db, threadIds: number[]) =>
  threadIds.length === 0
    ? []
    : (await db(TABLES.attachments).select(COLUMNS).whereIn('message_id', db(TABLES.messages).select('id').whereIn('thread_id', threadIds))).map(mapRow);

/** Files that stay with their messages once their uploader is erased: owned by nobody. */
export const disownAttachments = (db: Db, ownerId: number) => db(TABLES.attachments).where('owner_id', ownerId).update({ owner_id: null });

/** Deletes these rows (`stagedOnly`: those still staged); answers how many went. */
export const deleteRows = async (db: Db, ids: number[], options: { stagedOnly?: boolean } = {}) => {
  if (ids.length === 0) return 0;
  const q = db(TABLES.attachments).whereIn('id', ids);
  if (options.stagedOnly) q.whereNull('message_id');
  return toInt(await q.delete());
};

/** Which of these rows exist. */
export const existingIds = async (db: Db, ids: number[]) =>
  ids.length === 0 ? [] : (await db(TABLES.attachments).select('id').whereIn('id', ids)).map((r: Record<string, unknown>) => toInt(r.id));

/** How many files each of these messages carries (the notification email says it, in words). */
export const countAttachments = async (db: Db, messageIds: number[]) => {
  const out = new Map<number, number>();
  if (messageIds.length === 0) return out;
  const rows = await db(TABLES.attachments).select('message_id').count({ n: '*' }).whereIn('message_id', messageIds).groupBy('message_id');
  for (const r of rows as Record<string, unknown>[]) out.set(toInt(r.message_id), toInt(r.n));
  return out;
};

/** A file of the message a report is about (by documentIds), with that message's ids; null otherwise. */
export const findReportedAttachment = async (db: Db, reportDocumentId: string, attachmentDocumentId: string) => {
  const row = await db(`${TABLES.attachments} as a`)
    .join(`${TABLES.reports} as r`, 'r.message_id', 'a.message_id')
    .join(`${TABLES.messages} as m`, 'm.id', 'a.message_id')
    .select(...cols('a'), 'm.document_id as message_document_id', 'm.author_id as message_author_id', 'm.thread_id as message_thread_id')
    .where('a.document_id', attachmentDocumentId)
    .where('r.document_id', reportDocumentId)
    .first();
  if (!row) return null;
  return {
    attachment: mapRow(row),
    message: { messageId: String(row.message_document_id), authorId: intOrNull(row.message_author_id), threadId: toInt(row.message_thread_id) },
  };
};
