import { TABLES, toInt, type Db } from './db';
import { PARTICIPANT_PREVIEW_SIZE, recountThreads } from './threads';
import { recountMemberships } from './membership-read-state';
import { asJson, whereIdIn } from './dialect';
import { unindexThreadMessages } from './message-search';
import { attachmentsOfThreads, deleteRows, type AttachmentRow } from './attachments';

/*
 * What an erasure leaves of the threads its user was in (repositories/erasure.ts): exact counts for
 * the others, member lists without them, and no thread nobody is left in. Set-based, 500 threads
 * per statement; the caller holds the threads' locks.
 */

const CHUNK = 500;

/** Member counts, the participant preview, message counts and every remaining member's counts, from the rows. */
export const recountAfterDeparture = async (db: Db, threadIds: number[], _userId: number) => {
  const t = TABLES.threads;
  const ms = TABLES.memberships;
  for (let i = 0; i < threadIds.length; i += CHUNK) {
    const chunk = threadIds.slice(i, i + CHUNK);
    await whereIdIn(db, db(t), 'id', chunk).update({
      member_count: db.raw(`(select count(*) from ${ms} where ${ms}.thread_id = ${t}.id)`),
      listed_member_count: db.raw(`(select count(*) from ${ms} where ${ms}.thread_id = ${t}.id and coalesce(${ms}.hidden, false) = false)`),
    });
    await writePreviews(db, chunk);
    await recountThreads(db, chunk);
    await recountMemberships(db, chunk);
  }
};

/**
 * The preview lists the first members by user id whom everyone may see (a broadcast's hidden
 * members are not among them), as leaving a thread writes it (threads.writeParticipantPreview).
 */
const writePreviews = async (db: Db, threadIds: number[]) => {
  const rows = await whereIdIn(db, db(TABLES.memberships).select('thread_id', 'user_id', 'left_at'), 'thread_id', threadIds)
    .where((w) => w.whereNull('hidden').orWhere('hidden', false))
    .orderBy(['thread_id', 'user_id']);
  const previews = new Map<number, { userId: number; left?: true }[]>(threadIds.map((id) => [id, []]));
  for (const r of rows as Record<string, unknown>[]) {
    const preview = previews.get(toInt(r.thread_id))!;
    if (preview.length >= PARTICIPANT_PREVIEW_SIZE) continue;
    preview.push(r.left_at == null ? { userId: toInt(r.user_id) } : { userId: toInt(r.user_id), left: true });
  }
  const ids = [...previews.keys()];
  if (ids.length === 0) return;
  // One statement: CASE id WHEN … THEN preview … END.
  const cases = ids.map(() => 'when ? then ?').join(' ');
  const bindings = ids.flatMap((id) => [id, JSON.stringify(previews.get(id))]);
  await whereIdIn(db, db(TABLES.threads), 'id', ids).update({
    participant_preview: db.raw(asJson(db, `(case id ${cases} end)`), bindings),
  });
};

/** Deletes the threads among these with no member left: their messages, and what pointed at them. */
/** Deletes the threads nobody is left in, with their messages; answers their attachments' rows (deleted: remove the bytes after commit). */
export const deleteEmptiedThreads = async (db: Db, threadIds: number[]) => {
  const t = TABLES.threads;
  const files: AttachmentRow[] = [];
  for (let i = 0; i < threadIds.length; i += CHUNK) {
    const rows = await whereIdIn(db, db(t).select('id'), 'id', threadIds.slice(i, i + CHUNK)).whereNotExists(
      db(TABLES.memberships).select(db.raw('1')).whereRaw(`${TABLES.memberships}.thread_id = ${t}.id`)
    );
    const empty = rows.map((r: Record<string, unknown>) => toInt(r.id));
    if (empty.length === 0) continue;
    await db(TABLES.reports).whereIn('message_id', whereIdIn(db, db(TABLES.messages).select('id'), 'thread_id', empty)).update({ message_id: null });
    await whereIdIn(db, db(TABLES.outbox), 'thread_id', empty).del();
    await whereIdIn(db, db(TABLES.contextAsks), 'thread_id', empty).del();
    await unindexThreadMessages(db, empty);
    const attachments = await attachmentsOfThreads(db, empty);
    await deleteRows(db, attachments.map((a) => a.id));
    files.push(...attachments);
    await whereIdIn(db, db(TABLES.messages), 'thread_id', empty).del();
    await whereIdIn(db, db(t), 'id', empty).del();
  }
  return files;
};
