import { createDocumentId, createDocumentIds } from '../utils/ids';
import { strapiColumns, toInt, toIso, type Db } from './db';
import { insertMany } from './dialect';

/*
 * The audit trail of admins reading message content (pm_audit_entries). Append-only: this file
 * inserts and lists; the only deletion is the retention purge of entries older than
 * `auditRetentionDays`. Its columns are plain values, not relations: deleting an admin, a user, a
 * thread or a report changes no entry (no cascade).
 */

export const AUDIT = 'pm_audit_entries';

export const AUDIT_ACTIONS = ['report.view', 'message.deletedBody', 'user.export', 'thread.open', 'attachment.view', 'user.erase'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditInput = {
  adminId: number;
  adminName: string;
  action: AuditAction;
  userId?: number | null;
  threadId?: string | null;
  messageId?: string | null;
  reportId?: string | null;
  reason?: string | null;
};

export type AuditEntry = {
  id: string;
  admin: { id: number; name: string };
  action: AuditAction;
  userId: number | null;
  threadId: string | null;
  messageId: string | null;
  reportId: string | null;
  reason: string | null;
  createdAt: string;
};

const row = (entry: AuditInput, documentId: string, now: Date) => ({
  ...strapiColumns(documentId, now),
  admin_id: entry.adminId,
  admin_name: entry.adminName,
  action: entry.action,
  user_id: entry.userId ?? null,
  thread_id: entry.threadId ?? null,
  message_id: entry.messageId ?? null,
  report_id: entry.reportId ?? null,
  reason: entry.reason ?? null,
});

/** Appends entries (one statement). */
export const appendEntries = async (db: Db, entries: AuditInput[], now: Date) => {
  if (entries.length === 0) return;
  const ids = entries.length === 1 ? [createDocumentId()] : createDocumentIds(entries.length);
  await insertMany(db, AUDIT, entries.map((e, i) => row(e, ids[i], now)));
};

const mapEntry = (r: Record<string, unknown>): AuditEntry => ({
  id: String(r.document_id),
  admin: { id: toInt(r.admin_id), name: (r.admin_name as string) ?? '' },
  action: r.action as AuditAction,
  userId: r.user_id == null ? null : toInt(r.user_id),
  threadId: (r.thread_id as string) ?? null,
  messageId: (r.message_id as string) ?? null,
  reportId: (r.report_id as string) ?? null,
  reason: (r.reason as string) ?? null,
  createdAt: toIso(r.created_at) as string,
});

export type AuditFilters = { admin?: number; user?: number; action?: AuditAction; before?: number; limit: number };

/** Newest first, `limit` + 1 rows (the caller sees whether a next page exists); `before`: a row id (the cursor). */
export const listEntries = async (db: Db, filters: AuditFilters) => {
  const q = db(AUDIT).select('*').orderBy('id', 'desc').limit(filters.limit + 1);
  if (filters.admin !== undefined) q.where('admin_id', filters.admin);
  if (filters.user !== undefined) q.where('user_id', filters.user);
  if (filters.action !== undefined) q.where('action', filters.action);
  if (filters.before !== undefined) q.where('id', '<', filters.before);
  const rows = (await q) as Record<string, unknown>[];
  const more = rows.length > filters.limit;
  const page = rows.slice(0, filters.limit);
  return { entries: page.map(mapEntry), nextBefore: more ? toInt(page[page.length - 1].id) : null };
};

/** The retention purge: entries created before `cutoff`. */
export const purgeEntriesBefore = async (db: Db, cutoff: Date) => toInt(await db(AUDIT).where('created_at', '<', cutoff).del());
