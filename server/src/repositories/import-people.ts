import { createOrderedDocumentIds } from '../utils/ids';
import { TABLES, strapiColumns, toInt, toIso, yieldToEventLoop, type Db } from './db';
import { lastMessageId } from './blocks';

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

/** A block period as the importer writes it (visibility: block periods); `through` null: blocked now. */
export type ImportedBlockPeriod = { blockerId: number; blockedId: number; afterMessageId: number; throughMessageId: number | null };

/** Inserts block periods, skipping those already there (same pair and edge: a rerun). */
const insertBlockPeriods = async (db: Db, periods: ImportedBlockPeriod[], now: Date) => {
  for (let i = 0; i < periods.length; i += CHUNK) {
    if (i > 0) await yieldToEventLoop();
    const chunk = periods.slice(i, i + CHUNK);
    const documentIds = createOrderedDocumentIds(chunk.length);
    await db(TABLES.blocks)
      .insert(
        chunk.map((p, n) => ({
          ...strapiColumns(documentIds[n], now),
          blocker_id: p.blockerId,
          blocked_id: p.blockedId,
          after_message_id: p.afterMessageId,
          through_message_id: p.throughMessageId,
        }))
      )
      .onConflict(['blocker_id', 'blocked_id', 'after_message_id'])
      .ignore();
  }
};

/**
 * Blocks (blocker, blocked) on now: each opens a period after the last message written, so the
 * history imported before it stays as privatemsg showed it (what privatemsg never delivered is
 * kept by insertUndeliveredPeriods). Pairs already blocked here are left as they are.
 */
export const insertBlocks = async (db: Db, blocks: { blockerId: number; blockedId: number }[], now: Date) => {
  if (blocks.length === 0) return;
  const after = await lastMessageId(db);
  const open = new Set<string>();
  for (let i = 0; i < blocks.length; i += CHUNK) {
    const rows = await db(TABLES.blocks)
      .select('blocker_id', 'blocked_id')
      .whereIn('blocker_id', [...new Set(blocks.slice(i, i + CHUNK).map((b) => b.blockerId))])
      .whereNull('through_message_id');
    for (const r of rows) open.add(`${toInt(r.blocker_id)}:${toInt(r.blocked_id)}`);
  }
  const periods = blocks
    .filter((b) => !open.has(`${b.blockerId}:${b.blockedId}`))
    .map((b) => ({ ...b, afterMessageId: after, throughMessageId: null }));
  await insertBlockPeriods(db, periods, now);
};

/**
 * Messages privatemsg never delivered to a member (no pm_index row), as block periods of their
 * author that cover just them: `(first - 1, last]` for each run of consecutive message ids. Ids
 * are unique, so nothing else falls inside one; the member never sees them (visibility.seenBy).
 */
export const insertUndeliveredPeriods = async (db: Db, undelivered: { userId: number; authorId: number; messageId: number }[], now: Date) => {
  const sorted = [...undelivered].sort((a, b) => a.userId - b.userId || a.authorId - b.authorId || a.messageId - b.messageId);
  const periods: ImportedBlockPeriod[] = [];
  for (const u of sorted) {
    const last = periods[periods.length - 1];
    if (last && last.blockerId === u.userId && last.blockedId === u.authorId && last.throughMessageId === u.messageId - 1) {
      last.throughMessageId = u.messageId;
    } else {
      periods.push({ blockerId: u.userId, blockedId: u.authorId, afterMessageId: u.messageId - 1, throughMessageId: u.messageId });
    }
  }
  await insertBlockPeriods(db, periods, now);
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
