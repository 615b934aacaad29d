import { createOrderedDocumentIds } from '../utils/ids';
import { TABLES, insertMany, strapiColumns, toInt, type Db } from './db';

/*
 * The import map (pm_import_map): which row of ours each imported Drupal row became, per source
 * database. A second run reads it to import only what is new, and an interrupted run to resume:
 * a batch's rows and its map entries commit together.
 */

export const IMPORT_MAP = 'pm_import_map';

export type ImportKind = 'thread' | 'message' | 'tag' | 'block' | 'prefs' | 'settings';
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
