import { TABLES, type Db } from './db';

/*
 * Folders are membership state, three columns that delivery and the read-state changes keep:
 *   - in_inbox: the thread is in one of the member's folders, the inbox or (with `archived`) the
 *     archive. Removing the thread and leaving it clear it; a message that counts for the member
 *     (delivery) and the member's own message set it again.
 *   - archived: the member archived it (privatemsg's Inbox tag taken off). A message from someone
 *     else clears it (delivery); the member's own message does not (recordAuthorActivity).
 *   - has_sent: the member wrote a message in it that they have not deleted and still see
 *     (after their visibility watermark): privatemsg's Sent list. Set by their own message,
 *     recomputed when they delete one, cleared by removing and leaving.
 * Each folder is the equality prefix of one index followed by (last_activity_at, thread_id), so a
 * page is one range scan in index order that stops after `limit` rows, like the inbox:
 *   inbox     in_inbox and not archived   pm_memberships_folder_idx (user_id, in_inbox, archived, ...)
 *   archived  in_inbox and archived       pm_memberships_folder_idx
 *   all       in_inbox                    pm_memberships_inbox_idx  (user_id, in_inbox, ...)
 *   sent      has_sent                    pm_memberships_sent_idx   (user_id, has_sent, ...)
 *   requests  request_state 'pending'     pm_memberships_requests_idx (user_id, request_state, ...)
 * A pending request (message-requests) is out of the inbox (in_inbox false) until it is accepted.
 */

export const FOLDERS = ['inbox', 'archived', 'sent', 'all', 'requests'] as const;
export type Folder = (typeof FOLDERS)[number];

/** Narrows a query of memberships aliased `ms` to one folder. */
export const whereInFolder = <Q extends { where: Function; andWhere: Function }>(q: Q, folder: Folder): Q => {
  switch (folder) {
    case 'inbox':
      return q.where('ms.in_inbox', true).andWhere('ms.archived', false) as Q;
    case 'archived':
      return q.where('ms.in_inbox', true).andWhere('ms.archived', true) as Q;
    case 'all':
      return q.where('ms.in_inbox', true) as Q;
    case 'sent':
      return q.where('ms.has_sent', true) as Q;
    case 'requests':
      return q.where('ms.request_state', 'pending') as Q;
  }
};

/**
 * Archives (or unarchives) the threads of these memberships. A removed thread stays out of every
 * folder and is not archived: the next message, the member's own reply included, brings it back to
 * the inbox, as after any removal.
 */
export const setArchivedMany = (db: Db, membershipIds: number[], archived: boolean, now: Date) => {
  if (membershipIds.length === 0) return Promise.resolve(0);
  const q = db(TABLES.memberships).whereIn('id', membershipIds);
  return (archived ? q.where('in_inbox', true) : q).update({ archived, updated_at: now });
};

const M = TABLES.memberships;

/** The member still has a message of their own in the thread, not deleted, after their visibility watermark. */
const OWN_LIVE_MESSAGE = `exists (select 1 from ${TABLES.messages} m
  where m.thread_id = ${M}.thread_id and m.author_id = ${M}.user_id and m.deleted_at is null and m.id > ${M}.visible_after_message_id)`;

/**
 * has_sent from the messages, for the given (thread, user) pairs' current memberships (after a
 * deletion of their own message). Served by `pm_messages_thread_order_idx` (thread_id, id).
 */
export const refreshSent = (db: Db, threadId: number, userId: number) =>
  db(M)
    .where({ thread_id: threadId, user_id: userId })
    .whereNull('left_at')
    .update({ has_sent: db.raw(`case when ${OWN_LIVE_MESSAGE} then true else false end`) });

/**
 * has_sent as it must be, as SQL on the memberships row: a current member with a message of their
 * own they still see, not deleted. The importer writes it with the other counters it rebuilds.
 */
export const SENT_NOW = `case when ${M}.left_at is null and ${OWN_LIVE_MESSAGE} then true else false end`;

/** For databases from before the Sent folder: every current membership's has_sent, once. */
export const backfillSent = (db: Db) =>
  db(M)
    .whereNull('left_at')
    .update({ has_sent: db.raw(`case when ${OWN_LIVE_MESSAGE} then true else false end`) });

/**
 * For databases from before the archive, once: `archived` is null on their rows. The importer then
 * kept a thread archived in Drupal out of the inbox (in_inbox false) without removing it, the only
 * way a current membership could be out of the inbox and not removed: those become archived
 * threads, every other row is not archived.
 */
export const backfillArchived = (db: Db) => {
  // Boolean literals (true, false: every supported database reads them), so that PostgreSQL types the CASE.
  const wasArchived = `in_inbox = false and removed_at is null and left_at is null`;
  return db(M)
    .whereNull('archived')
    .update({
      archived: db.raw(`case when ${wasArchived} then true else false end`),
      in_inbox: db.raw(`case when ${wasArchived} then true else in_inbox end`),
    });
};
