import { createDocumentId } from '../utils/ids';
import { TABLES, strapiColumns, toBool, toInt, type Db } from './db';

/*
 * Threads about a document ("contact the seller"). The thread row keeps what it is about
 * (context_uid, context_document_id: shown to its members, filtered on in their folders); one row
 * per (document, asker) in pm_context_asks points at the asker's current thread about it, so
 * asking again is one lookup of the unique (context_uid, context_document_id, asker_id) index.
 * When the asker has left or removed that thread, the next ask starts a new one and the row
 * points there; the old thread keeps its context and its members.
 */

export type DocumentRef = { uid: string; documentId: string };

export type AskedThread = {
  threadId: number;
  threadDocumentId: string;
  /** The asker is still in the thread: not left, and it is in one of their folders (not removed). */
  askerIsIn: boolean;
  /** The user given as the owner is a current member (not left; removing it does not count). */
  ownerIsIn: boolean;
};

/**
 * The asker's current thread about the document, if any, and whether the asker and the owner
 * (when given) are still in it: one unique-index lookup, then lookups of the unique thread and
 * (thread_id, user_id) indexes.
 */
export const findAskedThread = async (db: Db, about: DocumentRef, askerId: number, ownerId?: number): Promise<AskedThread | null> => {
  const row = await db(`${TABLES.contextAsks} as a`)
    .join(`${TABLES.threads} as t`, 't.id', 'a.thread_id')
    .leftJoin(`${TABLES.memberships} as ms`, (j) => j.on('ms.thread_id', 'a.thread_id').andOn('ms.user_id', 'a.asker_id'))
    .leftJoin(`${TABLES.memberships} as om`, (j) => j.on('om.thread_id', 'a.thread_id').andOnVal('om.user_id', ownerId ?? 0))
    .select('a.thread_id', 't.document_id', 'ms.in_inbox', 'ms.left_at', 'ms.id as membership_id', 'om.id as owner_membership_id', 'om.left_at as owner_left_at')
    .where({ 'a.context_uid': about.uid, 'a.context_document_id': about.documentId, 'a.asker_id': askerId })
    .first();
  if (!row) return null;
  return {
    threadId: toInt(row.thread_id),
    threadDocumentId: String(row.document_id),
    askerIsIn: row.membership_id != null && row.left_at == null && toBool(row.in_inbox),
    ownerIsIn: row.owner_membership_id != null && row.owner_left_at == null,
  };
};

/**
 * Marks a thread just written as the asker's thread about the document, in the transaction that
 * wrote it: the thread's context columns, and the ask row (inserted, or moved to this thread when
 * an earlier one was left or removed).
 */
export const recordAsk = async (db: Db, input: { threadId: number; about: DocumentRef; askerId: number; now: Date }) => {
  const { threadId, about, askerId, now } = input;
  await db(TABLES.threads).where('id', threadId).update({ context_uid: about.uid, context_document_id: about.documentId });
  await db(TABLES.contextAsks)
    .insert({
      ...strapiColumns(createDocumentId(), now),
      context_uid: about.uid,
      context_document_id: about.documentId,
      asker_id: askerId,
      thread_id: threadId,
    })
    .onConflict(['context_uid', 'context_document_id', 'asker_id'])
    .merge({ thread_id: threadId, updated_at: now });
};
