import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { as } from './api';
import type { DrupalData } from './drupal-generator';
import type { DrupalSource } from './drupal-source';
import { PASSWORD, type TestUser } from './users';

/*
 * The Drupal importer's tests compare what the plugin's REST API serves with what privatemsg's own
 * SQL answers on the source database, user by user and thread by thread.
 */

/** Registers a Strapi user for every Drupal account the test means to match (by email). */
export const registerDrupalUsers = async (strapi: Core.Strapi, data: DrupalData) => {
  const users = new Map<number, TestUser>();
  for (const u of data.users) {
    if (data.unmatchedUids.includes(u.uid)) continue;
    const res = await request(strapi.server.httpServer)
      .post('/api/auth/local/register')
      .send({ username: `s_${u.name}`, email: u.mail.toLowerCase(), password: PASSWORD })
      .expect(200);
    users.set(u.uid, { id: res.body.user.id, username: `s_${u.name}`, jwt: res.body.jwt, roleId: 0 });
  }
  return users;
};

/** Every table the importer writes, emptied (between scenarios sharing one Strapi). */
export const emptyPluginTables = async (strapi: Core.Strapi) => {
  const knex = strapi.db.connection;
  for (const t of ['pm_memberships_tags_lnk', 'pm_memberships', 'pm_messages', 'pm_threads', 'pm_tags', 'pm_blocks', 'pm_preferences', 'pm_import_map']) {
    await knex(t).del();
  }
};

export const countRows = async (strapi: Core.Strapi, table: string) => Number((await strapi.db.connection(table).count({ n: '*' }))[0].n);

const USER_TYPES = `type in ('user', 'hidden')`;

/** privatemsg_sql_unread_count. */
export const drupalUnread = async (source: DrupalSource, uid: number, d6one: boolean) =>
  Number(
    (
      await source.query(
        `select count(distinct thread_id) as n from pm_index where deleted = 0 and is_new = 1 and ${d6one ? 'uid' : 'recipient'} = ?${d6one ? '' : ` and ${USER_TYPES}`}`,
        [uid]
      )
    )[0].n
  );

/** The messages privatemsg shows a user in a thread (privatemsg_sql_messages, grouped by mid): their live rows. */
export const drupalThreadMids = async (source: DrupalSource, uid: number, threadId: number, d6one: boolean) =>
  (
    await source.query(
      `select distinct i.mid from pm_index i join pm_message m on m.mid = i.mid
       where i.thread_id = ? and i.${d6one ? 'uid' : 'recipient'} = ? and i.deleted = 0${d6one ? '' : ` and i.${USER_TYPES}`} order by i.mid`,
      [threadId, uid]
    )
  ).map((r: any) => Number(r.mid));

/** Threads a user has rows in (members, removed ones included). */
export const drupalThreadsOf = async (source: DrupalSource, uid: number, d6one: boolean) =>
  (
    await source.query(
      `select distinct i.thread_id from pm_index i join pm_message m on m.mid = i.mid
       where i.${d6one ? 'uid' : 'recipient'} = ?${d6one ? '' : ` and i.${USER_TYPES}`}`,
      [uid]
    )
  ).map((r: any) => Number(r.thread_id));

/** Our thread's documentId for a source thread id (through the import map). */
export const threadDocumentId = async (strapi: Core.Strapi, sourceThreadId: number) => {
  const row = await strapi.db
    .connection('pm_import_map as im')
    .join('pm_threads as t', 't.id', 'im.target_id')
    .select('t.document_id')
    .where({ 'im.kind': 'thread', 'im.source_id': sourceThreadId })
    .first();
  return row?.document_id as string | undefined;
};

/** The mids (read back from `[m<mid>]` in each body) of the messages the API shows the user in a thread. */
export const apiThreadMids = async (strapi: Core.Strapi, user: TestUser, documentId: string) => {
  const res = await as(strapi, user).get(`/threads/${documentId}`).expect(200);
  return (res.body.data.messages as { body: string }[]).map((m) => Number(/\[m(\d+)\]/.exec(m.body)?.[1]));
};

/** Subjects of the user's inbox, as the API lists it. */
export const apiInboxSubjects = async (strapi: Core.Strapi, user: TestUser) =>
  ((await as(strapi, user).get('/threads?limit=100').expect(200)).body.data as { subject: string }[]).map((t) => t.subject).sort();

/** The inbox privatemsg_filter shows: live threads tagged Inbox, and threads the user only sent. */
export const drupalInboxSubjects = async (source: DrupalSource, uid: number, d6one: boolean, inboxTag: number | null) => {
  const who = d6one ? 'uid' : 'recipient';
  const rows = await source.query(
    `select distinct i.thread_id, (select subject from pm_message f where f.mid = i.thread_id) as subject from pm_index i
     join pm_message m on m.mid = i.mid
     where i.${who} = ? and i.deleted = 0${d6one ? '' : ` and i.${USER_TYPES}`}
       and (coalesce(?, 0) = 0
            or exists (select 1 from pm_tags_index ti where ti.tag_id = ? and ti.uid = i.${who} and ti.thread_id = i.thread_id)
            or not exists (select 1 from pm_index o join pm_message om on om.mid = o.mid
                           where o.thread_id = i.thread_id and o.${who} = i.${who} and o.deleted = 0 and om.author <> i.${who}))`,
    [uid, inboxTag, inboxTag]
  );
  return rows.map((r: any) => String(r.subject)).sort();
};

/** Subjects of one of the user's folders (archived, sent, all), as the API lists it. */
export const apiFolderSubjects = async (strapi: Core.Strapi, user: TestUser, folder: string) =>
  ((await as(strapi, user).get(`/threads?folder=${folder}&limit=100`).expect(200)).body.data as { subject: string }[])
    .map((t) => t.subject)
    .sort();

/** privatemsg_filter's "All messages" minus its inbox: live threads the user took the Inbox tag off. */
export const drupalArchivedSubjects = async (source: DrupalSource, uid: number, d6one: boolean, inboxTag: number | null) => {
  const inbox = await drupalInboxSubjects(source, uid, d6one, inboxTag);
  const all = await drupalAllSubjects(source, uid, d6one);
  const left = [...inbox];
  return all.filter((s) => {
    const i = left.indexOf(s);
    if (i === -1) return true;
    left.splice(i, 1);
    return false;
  });
};

/** privatemsg's "All messages": threads with a live row for the user. */
export const drupalAllSubjects = async (source: DrupalSource, uid: number, d6one: boolean) => {
  const who = d6one ? 'uid' : 'recipient';
  const rows = await source.query(
    `select distinct i.thread_id, (select subject from pm_message f where f.mid = i.thread_id) as subject from pm_index i
     where i.${who} = ? and i.deleted = 0${d6one ? '' : ` and i.${USER_TYPES}`}`,
    [uid]
  );
  return rows.map((r: any) => String(r.subject)).sort();
};

/** privatemsg's "Sent messages": threads in which the user wrote a message they have not deleted. */
export const drupalSentSubjects = async (source: DrupalSource, uid: number, d6one: boolean) => {
  const who = d6one ? 'uid' : 'recipient';
  const rows = await source.query(
    `select distinct i.thread_id, (select subject from pm_message f where f.mid = i.thread_id) as subject from pm_index i
     join pm_message m on m.mid = i.mid
     where i.${who} = ? and i.deleted = 0 and m.author = i.${who}${d6one ? '' : ` and i.${USER_TYPES}`}`,
    [uid]
  );
  return rows.map((r: any) => String(r.subject)).sort();
};
