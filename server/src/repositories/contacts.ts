import { TABLES, strapiColumns, toInt, type Db } from './db';
import { insertSelectIgnoringSql } from './dialect';
import { createDocumentId } from '../utils/ids';

/*
 * Contacts (docs/api.md, *Message requests and who may message me*): a row (user_id, contact_id)
 * says that `contact_id` is a contact of `user_id`: the user wrote to them (a message of theirs
 * that the other saw), accepted their request, or shares an imported or older history with them
 * (backfillContacts). The send gate asks it with one lookup of the unique (user_id, contact_id)
 * index per recipient, in one statement: never a scan of the messages.
 *
 * Rows of a user are written under that user's row lock (preferences.lockUserRow: their sends,
 * their accepting a request), so two writers of one pair take turns; the inserts still skip a
 * pair already there.
 */
const C = TABLES.contacts;
const M = TABLES.memberships;

/** Threads of more members than this make nobody a contact: a message to a crowd is not an acquaintance. */
export const CONTACT_THREAD_MAX_MEMBERS = 100;

/** Of `ownerIds`, those who count `otherId` as a contact. */
export const ownersWithContact = async (db: Db, ownerIds: number[], otherId: number) => {
  if (ownerIds.length === 0) return new Set<number>();
  const rows = await db(C).select('user_id').whereIn('user_id', ownerIds).andWhere('contact_id', otherId);
  return new Set(rows.map((r: Record<string, unknown>) => toInt(r.user_id)));
};

/** Records `contactIds` as contacts of `userId` (pairs already there are kept as they are). */
export const addContacts = async (db: Db, userId: number, contactIds: number[], now: Date) => {
  const ids = [...new Set(contactIds)].filter((id) => id !== userId);
  if (ids.length === 0) return;
  await db(C)
    .insert(ids.map((id) => ({ ...strapiColumns(createDocumentId(), now), user_id: userId, contact_id: id })))
    .onConflict(['user_id', 'contact_id'])
    .ignore();
};

/*
 * No parameters in an insert's select list: PostgreSQL would type them as text. Ids are inlined
 * (checked integers), times are the database's.
 */
const NOW = 'current_timestamp';
const sqlInt = (value: number) => {
  if (!Number.isSafeInteger(value)) throw new Error(`Not an integer id: ${value}`);
  return String(value);
};

/** `insert ... select` that skips pairs already recorded (the unique (user_id, contact_id) index). */
const insertSelectIgnoring = (db: Db, select: string) =>
  insertSelectIgnoringSql(db, C, `(user_id, contact_id, created_at, updated_at, published_at)`, select, ['user_id', 'contact_id']);

/**
 * The author of a message wrote to the members who see it (`audienceUserId` alone in a broadcast
 * reply, the listed members only when `listedOnly`): they become the author's contacts. Members with a pending or declined request are not
 * (the request is theirs to answer), nor anyone in a thread of more than CONTACT_THREAD_MAX_MEMBERS.
 * One statement over the thread's memberships (unique (thread_id, user_id) index).
 */
export const addContactsFromMessage = async (
  db: Db,
  input: { threadId: number; authorId: number; audienceUserId: number | null; listedOnly: boolean }
) => {
  const only = (input.audienceUserId === null ? '' : ' and ms.user_id = ?') + (input.listedOnly ? ' and coalesce(ms.hidden, ?) = ?' : '');
  const select = `select ms.user_id as u, ${sqlInt(input.authorId)} as a from ${M} ms
    join ${TABLES.threads} t on t.id = ms.thread_id
    where ms.thread_id = ? and ms.user_id is not null and ms.user_id <> ? and ms.left_at is null
      and t.member_count <= ${CONTACT_THREAD_MAX_MEMBERS}
      and (ms.request_state is null or ms.request_state = 'accepted')${only}
      and not exists (select 1 from ${C} c where c.user_id = ? and c.contact_id = ms.user_id)`;
  const bindings: unknown[] = [input.threadId, input.authorId];
  if (input.audienceUserId !== null) bindings.push(input.audienceUserId);
  if (input.listedOnly) bindings.push(false, false);
  bindings.push(input.authorId);
  await db.raw(insertSelectIgnoring(db, `select p.a, p.u, ${NOW}, ${NOW}, ${NOW} from (${select}) p`), bindings);
};

/**
 * History as contact: in these threads (every thread when none are given), each member who wrote a
 * message (has_sent) counts the other members as contacts, and each member counts the thread's
 * starter as one (the thread was accepted). For the importer's threads, and once for the threads of
 * a site from before contacts existed. Threads of more than CONTACT_THREAD_MAX_MEMBERS are left out.
 */
export const backfillContacts = async (db: Db, threadIds?: number[]) => {
  if (threadIds && threadIds.length === 0) return;
  const inThreads = (alias: string) => (threadIds ? ` and ${alias}.thread_id in (${threadIds.map(() => '?').join(', ')})` : '');
  const ids = threadIds ?? [];
  const pairs = (inner: string) => `select p.u, p.c, ${NOW}, ${NOW}, ${NOW} from (${inner}) p`;
  const wrote = `select distinct a.user_id as u, b.user_id as c from ${M} a
    join ${TABLES.threads} t on t.id = a.thread_id
    join ${M} b on b.thread_id = a.thread_id and b.user_id <> a.user_id
    where a.has_sent = ? and a.user_id is not null and b.user_id is not null and coalesce(b.hidden, ?) = ?
      and t.member_count <= ${CONTACT_THREAD_MAX_MEMBERS}${inThreads('a')}`;
  await db.raw(insertSelectIgnoring(db, pairs(wrote)), [true, false, false, ...ids]);
  const starter = `select distinct ms.user_id as u, t.starter_id as c from ${M} ms
    join ${TABLES.threads} t on t.id = ms.thread_id
    where t.starter_id is not null and ms.user_id is not null and ms.user_id <> t.starter_id
      and (ms.request_state is null or ms.request_state = 'accepted')
      and t.member_count <= ${CONTACT_THREAD_MAX_MEMBERS}${inThreads('ms')}`;
  await db.raw(insertSelectIgnoring(db, pairs(starter)), [...ids]);
};
