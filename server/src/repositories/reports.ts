import { createDocumentId } from '../utils/ids';
import { TABLES, strapiColumns, toInt, toIso, type Db } from './db';
import { insertIgnoreReturning } from './dialect';

export type ReportRow = {
  id: number;
  documentId: string;
  messageId: number | null;
  reporterId: number | null;
  reason: string;
  status: 'open' | 'resolved';
  resolution: string | null;
  note: string | null;
  resolvedById: number | null;
  resolvedAt: string | null;
  createdAt: string;
};

const mapReport = (r: Record<string, unknown>): ReportRow => ({
  id: toInt(r.id),
  documentId: String(r.document_id),
  messageId: r.message_id === null ? null : toInt(r.message_id),
  reporterId: r.reporter_id === null ? null : toInt(r.reporter_id),
  reason: String(r.reason ?? ''),
  status: r.status === 'resolved' ? 'resolved' : 'open',
  resolution: (r.resolution as string) ?? null,
  note: (r.note as string) ?? null,
  resolvedById: r.resolved_by_id === null || r.resolved_by_id === undefined ? null : toInt(r.resolved_by_id),
  resolvedAt: toIso(r.resolved_at),
  createdAt: toIso(r.created_at) as string,
});

/** Inserts a report unless this reporter already reported this message; null then. */
export const insertReport = async (db: Db, input: { messageId: number; reporterId: number; reason: string; now: Date }) => {
  const row = await insertIgnoreReturning(
    db,
    TABLES.reports,
    {
      ...strapiColumns(createDocumentId(), input.now),
      message_id: input.messageId,
      reporter_id: input.reporterId,
      reason: input.reason,
      status: 'open',
    },
    ['message_id', 'reporter_id']
  );
  return row ? mapReport(row) : null;
};

/** A page of reports, newest first, served by (status, id). */
export const listReports = async (db: Db, input: { status?: string; page: number; pageSize: number }) => {
  const base = db(TABLES.reports).modify((q) => {
    if (input.status) q.where('status', input.status);
  });
  const [rows, [{ total }]] = await Promise.all([
    base.clone().select('*').orderBy('id', 'desc').limit(input.pageSize).offset((input.page - 1) * input.pageSize),
    base.clone().count({ total: '*' }),
  ]);
  return { rows: rows.map(mapReport), total: toInt(total) };
};

export const findReportByDocumentId = async (db: Db, documentId: string) => {
  const row = await db(TABLES.reports).where('document_id', documentId).first();
  return row ? mapReport(row) : null;
};

/** Resolves an open report; false when it was resolved meanwhile (by another moderator). */
export const resolveReport = async (
  db: Db,
  id: number,
  values: { resolution: string; note: string | null; resolvedById: number; now: Date }
) =>
  toInt(
    await db(TABLES.reports).where({ id, status: 'open' }).update({
      status: 'resolved',
      resolution: values.resolution,
      note: values.note,
      resolved_by_id: values.resolvedById,
      resolved_at: values.now,
      updated_at: values.now,
    })
  ) > 0;

/** Reports by id (the outbox's moderator emails). */
export const findReportsByIds = async (db: Db, ids: number[]) =>
  ids.length === 0 ? [] : (await db(TABLES.reports).select('*').whereIn('id', [...new Set(ids)])).map(mapReport);
