import { createOrderedDocumentIds } from '../utils/ids';
import { TABLES, strapiColumns, toInt, toIso, yieldToEventLoop, type Db } from './db';

/*
 * Bulk writes of the Drupal importer for what belongs to users: their tags and the tags' links to
 * memberships, blocks, and preferences. Each is a multi-row insert that skips what is already
 * there (the tables' unique keys), so a resumed or repeated run adds nothing twice.
 */

const CHUNK = 400;

/** Users' tags by (owner, nameKey): creates the missing ones, answers every id keyed `owner:nameKey`. */
export const ensureTags = async (db: Db, tags: { ownerId: number; name: string; nameKey: string }[], now: Date) => {
  const ids = new Map<string, number>();
  for (let i = 0; i < tags.length; i += CHUNK) {
    if (i > 0) await yieldToEventLoop();
    const chunk = tags.slice(i, i + CHUNK);
    const documentIds = createOrderedDocumentIds(chunk.length);
    await db(TABLES.tags)
      .insert(chunk.map((t, n) => ({ ...strapiColumns(documentIds[n], now), owner_id: t.ownerId, name: t.name, name_key: t.nameKey })))
      .onConflict(['owner_id', 'name_key'])
      .ignore();
    const rows = await db(TABLES.tags)
      .select('id', 'owner_id', 'name_key')
      .whereIn('owner_id', [...new Set(chunk.map((t) => t.ownerId))])
      .whereIn('name_key', [...new Set(chunk.map((t) => t.nameKey))]);
    for (const r of rows) ids.set(`${toInt(r.owner_id)}:${String(r.name_key)}`, toInt(r.id));
  }
  return ids;
};

/** Links tags to memberships (after the ones they have, in the order given), skipping existing pairs. */
export const linkTags = async (db: Db, links: { membershipId: number; tagId: number }[]) => {
  if (links.length === 0) return;
  const existing = await db(TABLES.membershipTags)
    .select('membership_id')
    .max({ ord: 'tag_ord' })
    .whereIn('membership_id', [...new Set(links.map((l) => l.membershipId))])
    .groupBy('membership_id');
  const ord = new Map<number, number>(existing.map((r: Record<string, unknown>) => [toInt(r.membership_id), toInt(r.ord)]));
  const rows = links.map((l) => {
    const next = (ord.get(l.membershipId) ?? 0) + 1;
    ord.set(l.membershipId, next);
    return { membership_id: l.membershipId, tag_id: l.tagId, tag_ord: next };
  });
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db(TABLES.membershipTags).insert(rows.slice(i, i + CHUNK)).onConflict(['membership_id', 'tag_id']).ignore();
  }
};

/**
 * Blocks (blocker, blocked), dated `now`: a block hides messages written after it (visibility),
 * so the imported history stays as privatemsg showed it.
 */
export const insertBlocks = async (db: Db, blocks: { blockerId: number; blockedId: number }[], now: Date) => {
  for (let i = 0; i < blocks.length; i += CHUNK) {
    if (i > 0) await yieldToEventLoop();
    const chunk = blocks.slice(i, i + CHUNK);
    const documentIds = createOrderedDocumentIds(chunk.length);
    await db(TABLES.blocks)
      .insert(chunk.map((b, n) => ({ ...strapiColumns(documentIds[n], now), blocker_id: b.blockerId, blocked_id: b.blockedId })))
      .onConflict(['blocker_id', 'blocked_id'])
      .ignore();
  }
};

/** Preferences per user: the given values replace theirs, other columns are kept. */
export const upsertPreferencesMany = async (
  db: Db,
  rows: { userId: number; messagingEnabled?: boolean; emailNotifications?: string }[],
  now: Date
) => {
  // One statement per shape of row, so that merge() updates only the columns the rows carry.
  const shapes = new Map<string, typeof rows>();
  for (const r of rows) {
    const shape = `${r.messagingEnabled !== undefined}:${r.emailNotifications !== undefined}`;
    shapes.set(shape, [...(shapes.get(shape) ?? []), r]);
  }
  for (const group of shapes.values()) {
    const columns = [
      ...(group[0].messagingEnabled !== undefined ? ['messaging_enabled'] : []),
      ...(group[0].emailNotifications !== undefined ? ['email_notifications'] : []),
      'updated_at',
    ];
    for (let i = 0; i < group.length; i += CHUNK) {
      const chunk = group.slice(i, i + CHUNK);
      const documentIds = createOrderedDocumentIds(chunk.length);
      await db(TABLES.preferences)
        .insert(
          chunk.map((r, n) => ({
            ...strapiColumns(documentIds[n], now),
            user_id: r.userId,
            ...(r.messagingEnabled !== undefined ? { messaging_enabled: r.messagingEnabled } : {}),
            ...(r.emailNotifications !== undefined ? { email_notifications: r.emailNotifications } : {}),
          }))
        )
        .onConflict('user_id')
        .merge(columns);
    }
  }
};

/**
 * Strapi users with what matching them needs: email, username, whether they are confirmed or
 * blocked, when they were made and whether an admin made them (users-permissions' `createdBy`
 * column holds the admin user who created the account in the admin panel).
 */
export const strapiUsersForMatching = async (db: Db, usersTable: string) =>
  (await db(usersTable).select('id', 'email', 'username', 'confirmed', 'blocked', 'created_at', 'created_by_id')).map((r: Record<string, unknown>) => ({
    id: toInt(r.id),
    email: r.email == null ? null : String(r.email),
    username: r.username == null ? null : String(r.username),
    // Drivers answer booleans as true/1/'1' (SQLite and MySQL store them as integers).
    confirmed: r.confirmed === true || Number(r.confirmed) === 1,
    blocked: r.blocked === true || Number(r.blocked) === 1,
    createdAt: r.created_at == null ? null : new Date(toIso(r.created_at)!),
    createdByAdmin: r.created_by_id != null,
  }));

export const rolesByName = async (db: Db, rolesTable: string) =>
  new Map<string, number>(
    (await db(rolesTable).select('id', 'name')).map((r: Record<string, unknown>) => [String(r.name).toLowerCase(), toInt(r.id)])
  );
