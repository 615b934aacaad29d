import { parseStoredFields } from '../config/fields';
import { TABLES, toInt, toIso, type Db } from './db';

/** How many of its newest messages an investigation opens a thread with. */
export const OPENED_MESSAGES = 200;

/**
 * A thread as a moderator opens it for an investigation (admin API, audited): its members and its
 * newest OPENED_MESSAGES messages, every audience; deleted messages without their body.
 */
export const findThreadForInvestigation = async (db: Db, threadDocumentId: string) => {
  const t = await db(TABLES.threads).select('id', 'document_id', 'subject', 'fields', 'created_at', 'starter_id').where('document_id', threadDocumentId).first();
  if (!t) return null;
  const members = await db(TABLES.memberships).select('user_id', 'left_at', 'hidden').where('thread_id', t.id).orderBy('user_id');
  const messages = await db(TABLES.messages)
    .select('document_id', 'author_id', 'body', 'format', 'fields', 'deleted_at', 'created_at', 'audience')
    .where('thread_id', t.id)
    .orderBy('id', 'desc')
    .limit(OPENED_MESSAGES);
  return {
    id: String(t.document_id),
    subject: t.subject ?? '',
    fields: parseStoredFields(t.fields),
    createdAt: toIso(t.created_at),
    starterId: t.starter_id == null ? null : toInt(t.starter_id),
    members: members.map((m: Record<string, unknown>) => ({ userId: toInt(m.user_id), left: m.left_at != null, hidden: Boolean(m.hidden) })),
    messages: messages.reverse().map((m: Record<string, unknown>) => ({
      id: String(m.document_id),
      author: m.author_id == null ? null : { id: toInt(m.author_id) },
      body: m.deleted_at == null ? m.body : null,
      format: m.format,
      fields: parseStoredFields(m.fields),
      audience: m.audience ?? null,
      deleted: m.deleted_at != null,
      createdAt: toIso(m.created_at),
    })),
  };
};
