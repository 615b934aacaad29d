import { createDocumentId } from '../utils/ids';
import { TABLES, strapiColumns, toInt, toIso, type Db } from './db';
import { insertIgnoreReturning, selectRows } from './dialect';

const SUSPENSIONS = TABLES.suspensions;

export type SuspensionRow = {
  userId: number;
  suspendedAt: string;
  suspendedById: number | null;
  /** The report's documentId, when the suspension came from one that still exists. */
  reportId: string | null;
  note: string | null;
};

const optionalInt = (v: unknown) => (v === null || v === undefined ? null : toInt(v));

const mapSuspension = (r: Record<string, unknown>): SuspensionRow => ({
  userId: toInt(r.user_id),
  suspendedAt: toIso(r.suspended_at) as string,
  suspendedById: optionalInt(r.suspended_by_id),
  reportId: (r.report_document_id as string) ?? null,
  note: (r.note as string) ?? null,
});

/**
 * Suspends a user's messaging unless they already are; true when the suspension is new. The
 * unique index on user_id makes concurrent suspensions of one user store one row.
 */
export const insertSuspension = async (
  db: Db,
  input: { userId: number; suspendedById: number; reportId: number | null; note: string | null; now: Date }
) => {
  const row = await insertIgnoreReturning(
    db,
    SUSPENSIONS,
    {
      ...strapiColumns(createDocumentId(), input.now),
      user_id: input.userId,
      suspended_at: input.now,
      suspended_by_id: input.suspendedById,
      report_id: input.reportId,
      note: input.note,
    },
    ['user_id'],
    ['id']
  );
  return row !== null;
};

/** Whether the user is suspended: asked on every send, one lookup of pm_suspensions_user_uq. */
export const isSuspended = async (db: Db, userId: number) =>
  (await selectRows(db, db(SUSPENSIONS).select('id').where('user_id', userId).limit(1))).length > 0;

/** Which of these users are suspended, in one statement (the stream's periodic check). */
export const suspendedAmong = async (db: Db, userIds: number[]) =>
  userIds.length === 0
    ? new Set<number>()
    : new Set((await db(SUSPENSIONS).select('user_id').whereIn('user_id', userIds)).map((r: Record<string, unknown>) => Number(r.user_id)));

/**
 * A page of suspensions, newest first (by id: rows are only ever inserted, so id order is
 * suspension order). Rows whose user was deleted since (user_id set to null) are left out.
 */
export const listSuspensions = async (db: Db, input: { page: number; pageSize: number }) => {
  const [rows, [{ total }]] = await Promise.all([
    db(`${SUSPENSIONS} as s`)
      .leftJoin(`${TABLES.reports} as r`, 'r.id', 's.report_id')
      .select('s.user_id', 's.suspended_at', 's.suspended_by_id', 's.note', 'r.document_id as report_document_id')
      .whereNotNull('s.user_id')
      .orderBy('s.id', 'desc')
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db(SUSPENSIONS).whereNotNull('user_id').count({ total: '*' }),
  ]);
  return { rows: rows.map(mapSuspension), total: toInt(total) };
};

/** Lifts a user's suspension; false when they were not suspended. */
export const deleteSuspension = async (db: Db, userId: number) =>
  toInt(await db(SUSPENSIONS).where('user_id', userId).delete()) > 0;
