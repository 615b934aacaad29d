import { createDocumentId } from '../utils/ids';
import { TABLES, strapiColumns, toInt, type Db } from './db';
import { ensureBinaryCollation, insertReturning, selectRows, whereIdIn } from './dialect';

/*
 * Tags (pm_tags) and where they are applied: Strapi's manyToMany link table between memberships
 * and tags (pm_memberships_tags_lnk: membership_id, tag_id, tag_ord; unique (membership_id, tag_id)).
 * A tag is per user, so it is applied to the user's membership of a thread, never to the thread.
 */

export type TagRow = { id: number; documentId: string; name: string; nameKey: string; ownerId: number };

const COLUMNS = ['id', 'document_id', 'name', 'name_key', 'owner_id'];

const mapTag = (r: Record<string, unknown>): TagRow => ({
  id: toInt(r.id),
  documentId: String(r.document_id),
  name: String(r.name),
  nameKey: String(r.name_key),
  ownerId: toInt(r.owner_id),
});

/**
 * Names are unique per owner ignoring case only: the service lower-cases `name_key`, and the
 * unique (owner_id, name_key) index must compare keys exactly. On MySQL/MariaDB the column is made
 * utf8mb4_bin at bootstrap, or the table's `_ci` collation would also merge 'résumé' with 'resume'
 * and (utf8mb4_unicode_ci) any two emoji. Answers whether it changed the column.
 */
export const ensureExactTagKeys = (db: Db) => ensureBinaryCollation(db, TABLES.tags, 'name_key');

/** The user's tags, alphabetically (case-insensitively). */
export const listTags = async (db: Db, ownerId: number) =>
  (
    await db(TABLES.tags)
      .select(COLUMNS)
      .where('owner_id', ownerId)
      .orderBy([
        { column: 'name_key', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
  ).map(mapTag);

/** The user's tags among the given documentIds (someone else's are simply not found). */
export const findOwnTags = async (db: Db, ownerId: number, documentIds: string[]) =>
  documentIds.length === 0
    ? []
    : (await db(TABLES.tags).select(COLUMNS).where('owner_id', ownerId).whereIn('document_id', documentIds)).map(mapTag);

/** The user's tag with that name, case-insensitively (served by the unique (owner_id, name_key) index). */
export const findTagByKey = async (db: Db, ownerId: number, nameKey: string) => {
  const row = await db(TABLES.tags).select(COLUMNS).where({ owner_id: ownerId, name_key: nameKey }).first();
  return row ? mapTag(row) : null;
};

export const insertTag = async (db: Db, input: { ownerId: number; name: string; nameKey: string; now: Date }) => {
  const documentId = createDocumentId();
  const row = await insertReturning(
    db,
    TABLES.tags,
    { ...strapiColumns(documentId, input.now), name: input.name, name_key: input.nameKey, owner_id: input.ownerId },
    COLUMNS
  );
  return mapTag(row);
};

export const renameTag = (db: Db, tagId: number, input: { name: string; nameKey: string; now: Date }) =>
  db(TABLES.tags).where({ id: tagId }).update({ name: input.name, name_key: input.nameKey, updated_at: input.now });

/** Deletes a tag and takes it off every thread it was on. */
export const deleteTag = async (db: Db, tagId: number) => {
  await db(TABLES.membershipTags).where('tag_id', tagId).del();
  await db(TABLES.tags).where({ id: tagId }).del();
};

/**
 * Applies every tag to every membership, keeping the links that exist: one read of the current
 * order positions, then multi-row inserts that skip existing pairs (the link table's unique index).
 * New links go after the membership's existing ones, in the order given.
 */
export const addTagsToMemberships = async (db: Db, membershipIds: number[], tagIds: number[]) => {
  if (membershipIds.length === 0 || tagIds.length === 0) return;
  const existing = await db(TABLES.membershipTags)
    .select('membership_id', 'tag_id', 'tag_ord')
    .whereIn('membership_id', membershipIds);
  const maxOrd = new Map<number, number>();
  const present = new Set<string>();
  for (const r of existing) {
    const m = toInt(r.membership_id);
    maxOrd.set(m, Math.max(maxOrd.get(m) ?? 0, toInt(r.tag_ord)));
    present.add(`${m}:${toInt(r.tag_id)}`);
  }
  const rows: Record<string, unknown>[] = [];
  for (const m of membershipIds) {
    let ord = maxOrd.get(m) ?? 0;
    for (const t of tagIds) {
      if (present.has(`${m}:${t}`)) continue;
      ord += 1;
      rows.push({ membership_id: m, tag_id: t, tag_ord: ord });
    }
  }
  // Callers hold the memberships' locks; skipping existing pairs on conflict is a second guard.
  for (let i = 0; i < rows.length; i += 400) {
    await db(TABLES.membershipTags).insert(rows.slice(i, i + 400)).onConflict(['membership_id', 'tag_id']).ignore();
  }
};

/** Takes the tags off the memberships, in one statement. */
export const removeTagsFromMemberships = (db: Db, membershipIds: number[], tagIds: number[]) =>
  membershipIds.length === 0 || tagIds.length === 0
    ? Promise.resolve(0)
    : db(TABLES.membershipTags).whereIn('membership_id', membershipIds).whereIn('tag_id', tagIds).del();

/** Makes `tagIds` exactly the tags on the membership: drops the others, adds the missing ones. */
export const setMembershipTags = async (db: Db, membershipId: number, tagIds: number[]) => {
  const drop = db(TABLES.membershipTags).where('membership_id', membershipId);
  if (tagIds.length > 0) drop.whereNotIn('tag_id', tagIds);
  await drop.del();
  await addTagsToMemberships(db, [membershipId], tagIds);
};

/** The tags on each of the memberships, as `{id: documentId, name}`, alphabetically. */
export const tagsOfMemberships = async (db: Db, membershipIds: number[]) => {
  const byMembership = new Map<number, { id: string; name: string }[]>();
  if (membershipIds.length === 0) return byMembership;
  const rows = await selectRows(
    db,
    whereIdIn(
      db,
      db(`${TABLES.membershipTags} as l`).join(`${TABLES.tags} as t`, 't.id', 'l.tag_id').select('l.membership_id', 't.document_id', 't.name'),
      'l.membership_id',
      membershipIds
    ).orderBy([
      { column: 't.name_key', order: 'asc' },
      { column: 't.id', order: 'asc' },
    ])
  );
  for (const r of rows) {
    const list = byMembership.get(toInt(r.membership_id)) ?? [];
    list.push({ id: String(r.document_id), name: String(r.name) });
    byMembership.set(toInt(r.membership_id), list);
  }
  return byMembership;
};
