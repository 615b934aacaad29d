'use strict';
/**
 * Drupal privatemsg 7.x's own queries (privatemsg.module: privatemsg_sql_list with its pager count,
 * the participants of the listed threads, and privatemsg_sql_unread_count), on its own tables
 * (`pm_message`, `pm_index` with the `list`, `messages` and `participants` indexes of
 * privatemsg.install). Each query is a list of steps; `keep` passes the thread ids on.
 */
const ph = (db, i) => (db === 'postgres' ? `$${i}` : '?');

const drupalQueries = (uid) => ({
  inbox: [
    {
      keep: true,
      sql: (db) => `select pmi.thread_id, min(pm.subject) as subject, max(pm.timestamp) as last_updated,
          sum(pmi.is_new) as is_new, count(pmi.thread_id) as count, min(pm.timestamp) as thread_started,
          max(pm.has_tokens) as has_tokens
        from pm_index pmi inner join pm_message pm on pm.mid = pmi.mid
        where pmi.recipient = ${ph(db, 1)} and pmi.type in ('user', 'hidden') and pmi.deleted = 0
        group by pmi.thread_id order by last_updated desc limit 25`,
      params: () => [uid],
    },
    {
      sql: (db, ids) => `select distinct pmi.thread_id, pmi.recipient, pmi.type from pm_index pmi
        where pmi.thread_id in (${(ids && ids.length ? ids : [0]).map((n) => Number(n)).join(',')})`,
      params: () => [],
    },
  ],
  pagerCount: [
    {
      sql: (db) => `select count(distinct pmi.thread_id) as n from pm_index pmi
        where pmi.recipient = ${ph(db, 1)} and pmi.type in ('user', 'hidden') and pmi.deleted = 0`,
      params: () => [uid],
    },
  ],
  unread: [
    {
      sql: (db) => `select count(distinct thread_id) as unread_count from pm_index pmi
        where pmi.deleted = 0 and pmi.is_new = 1 and pmi.recipient = ${ph(db, 1)} and pmi.type in ('user', 'hidden')`,
      params: () => [uid],
    },
  ],
});

module.exports = { drupalQueries };
