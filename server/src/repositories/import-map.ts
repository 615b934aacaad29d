import { createOrderedDocumentIds } from '../utils/ids';
import { TABLES, strapiColumns, toInt, toIso, type Db } from './db';
import { insertMany } from './dialect';

/*
 * The import map (pm_import_map): which row of ours each imported Drupal row became, per source
 * database. A second run reads it to import only what is new, and an interrupted run to resume:
 * a batch's rows and its map entries commit together.
 */

export const IMPORT_MAP = 'pm_import_map';

/** `user`: a Drupal uid and the Strapi user it was matched to; `run`: one row per run (confirmedEmailsSince). */
export type ImportKind = 'thread' | 'message' | 'tag' | 'block' | 'prefs' | 'settings' | 'user' | 'run';
export type Mapping = { sourceId: number; sourceSub?: number; targetId: number };

const key = (sourceId: number, sourceSub = 0) => `${sourceId}:${sourceSub}`;

/** Targets of these source ids (any sub-id), keyed `sourceId:sourceSub`. 500 ids per statement. */
export const findMappings = async (db: Db, source: string, kind: ImportKind, sourceIds: number[]) => {
  const found = new Map<string, number>();
  const unique = [...new Set(sourceIds)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db(IMPORT_MAP)
      .select('source_id', 'source_sub', 'target_id')
      .where({ source, kind })
      .whereIn('source_id', unique.slice(i, i + 500));
    for (const r of rows) found.set(key(toInt(r.source_id), toInt(r.source_sub)), toInt(r.target_id));
  }
  return found;
};

/** Every mapping of a kind (blocks, preferences and settings are few: one read). */
export const allMappings = async (db: Db, source: string, kind: ImportKind) => {
  const rows = await db(IMPORT_MAP).select('source_id', 'source_sub', 'target_id').where({ source, kind });
  return new Map<string, number>(rows.map((r: Record<string, unknown>) => [key(toInt(r.source_id), toInt(r.source_sub)), toInt(r.target_id)]));
};

export const mappingKey = key;

/** When this source's import first started: its oldest row (null before any run wrote one). */
export const firstRunAt = async (db: Db, source: string) => {
  const row = await db(IMPORT_MAP).min({ at: 'created_at' }).where({ source }).first();
  return row?.at == null ? null : new Date(toIso(row.at)!);
};

/**
 * Since when the site has confirmed emails at every run of this source: the start of the oldest
 * run of the unbroken series of runs that did, ending with this one (`now`, confirming or not).
 * Each run is a `run` row: its start in source_id, 1 in target_id when the site confirmed emails.
 */
export const confirmedEmailsSince = async (db: Db, source: string, now: { startedAt: Date; confirms: boolean }) => {
  if (!now.confirms) return null;
  const runs = await db(IMPORT_MAP).select('source_id', 'target_id').where({ source, kind: 'run' }).orderBy('source_id', 'desc');
  let since = now.startedAt.getTime();
  for (const r of runs) {
    if (toInt(r.target_id) !== 1) break;
    since = Math.min(since, toInt(r.source_id));
  }
  return new Date(since);
};

/** The Drupal accounts earlier runs matched, uid to Strapi user id. */
export const matchedBefore = async (db: Db, source: string) =>
  new Map([...(await allMappings(db, source, 'user'))].map(([k, target]) => [Number(k.split(':')[0]), target]));

/** Records the accounts this run matched (replacing what an earlier run recorded for them). */
export const recordMatches = async (db: Db, source: string, matched: Map<number, number>, now: Date) => {
  const uids = [...matched.keys()];
  await (db as any).transaction(async (trx: Db) => {
    for (let i = 0; i < uids.length; i += 500) await trx(IMPORT_MAP).where({ source, kind: 'user' }).whereIn('source_id', uids.slice(i, i + 500)).del();
    await insertMappings(trx, source, 'user', [...matched].map(([uid, userId]) => ({ sourceId: uid, targetId: userId })), now);
  });
};

export const insertMappings = async (db: Db, source: string, kind: ImportKind, mappings: Mapping[], now: Date) => {
  const documentIds = createOrderedDocumentIds(mappings.length);
  await insertMany(
    db,
    IMPORT_MAP,
    mappings.map((m, n) => ({
      ...strapiColumns(documentIds[n], now),
      source,
      kind,
      source_id: m.sourceId,
      source_sub: m.sourceSub ?? 0,
      target_id: m.targetId,
    })),
    { conflict: { columns: ['source', 'kind', 'source_id', 'source_sub'], ignore: true } }
  );
};

/** Imported message ids of these threads of ours, with their source mids (for the check). */
export const importedMessageIds = async (db: Db, source: string, messageIds: number[]) => {
  const bySource = new Map<number, number>();
  for (let i = 0; i < messageIds.length; i += 500) {
    const rows = await db(IMPORT_MAP)
      .select('source_id', 'target_id')
      .where({ source, kind: 'message' })
      .whereIn('target_id', messageIds.slice(i, i + 500));
    for (const r of rows) bySource.set(toInt(r.target_id), toInt(r.source_id));
  }
  return bySource;
};

export { TABLES };
