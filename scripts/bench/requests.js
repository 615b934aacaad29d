'use strict';
/**
 * Message requests in the benchmark: a new thread to a stranger against one to a contact, by the
 * same author, interleaved (the machine drifts over minutes). The send gate's contact check is one
 * lookup of pm_contacts' unique (user_id, contact_id) index, never a scan of the history, so the
 * two cost the same whatever the number of messages (docs/api.md, *Message requests and who may
 * message me*). Called by scripts/bench/index.js on the main data set, with the server running.
 */
const { performance } = require('node:perf_hooks');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : Number(s[Math.floor(s.length / 2)].toFixed(2));
};

/**
 * The contacts a site's history makes, as the plugin's boot fills them once for a site from before
 * contacts existed (server/src/repositories/contacts.ts, backfillContacts): the generator writes
 * its data after that boot, so the benchmark fills them itself. Each member who wrote in a thread
 * of at most 100 members counts the other members; each member counts the starter.
 */
const fillContacts = async (sink, db) => {
  const insert = (select) =>
    db === 'mysql'
      ? `insert ignore into pm_contacts (user_id, contact_id, created_at, updated_at, published_at) ${select}`
      : db === 'sqlite'
        ? `insert or ignore into pm_contacts (user_id, contact_id, created_at, updated_at, published_at) ${select}`
        : `insert into pm_contacts (user_id, contact_id, created_at, updated_at, published_at) ${select} on conflict (user_id, contact_id) do nothing`;
  const pairs = (inner) => `select p.u, p.c, current_timestamp, current_timestamp, current_timestamp from (${inner}) p`;
  await sink.exec(insert(pairs(`select distinct a.user_id as u, b.user_id as c from pm_memberships a
    join pm_threads t on t.id = a.thread_id join pm_memberships b on b.thread_id = a.thread_id and b.user_id <> a.user_id
    where a.has_sent = true and a.user_id is not null and b.user_id is not null and t.member_count <= 100`)));
  await sink.exec(insert(pairs(`select distinct ms.user_id as u, t.starter_id as c from pm_memberships ms
    join pm_threads t on t.id = ms.thread_id
    where t.starter_id is not null and ms.user_id is not null and ms.user_id <> t.starter_id and t.member_count <= 100`)));
  return Number((await sink.all('select count(*) as n from pm_contacts'))[0].n);
};

/**
 * `hit(method, url, userId, body)` as in index.js; `sink` the data set's database; `author` the
 * sender (the heavy user). A contact: someone who wrote to them; a stranger: someone who never did.
 */
const strangerVsContact = async ({ hit, sink, db, author, n }) => {
  const id = Number(author);
  if (!Number.isSafeInteger(id)) throw new Error(`Not a user id: ${author}`);
  const contacts = await fillContacts(sink, db);
  const [contactRow] = await sink.all(`select user_id as id from pm_contacts where contact_id = ${id} and user_id <> ${id} order by user_id limit 1`);
  const [strangerRow] = await sink.all(
    `select u.id as id from up_users u where u.id <> ${id} and not exists (select 1 from pm_contacts c where c.user_id = u.id and c.contact_id = ${id}) order by u.id desc limit 1`
  );
  if (!contactRow || !strangerRow) return { unsupported: true, reason: 'no contact or no stranger of the author in the data set' };
  const to = { contact: Number(contactRow.id), stranger: Number(strangerRow.id) };
  const send = (who, i) =>
    hit('POST', '/api/private-messages/threads', id, { recipients: [{ type: 'user', id: to[who] }], subject: `Bench ${who} ${i}`, body: 'Hello, is this still available?' });
  for (let i = 0; i < 5; i += 1) {
    await send('contact', -i);
    await send('stranger', -i);
  }
  const lat = { contact: [], stranger: [] };
  const statuses = {};
  for (let i = 0; i < n; i += 1) {
    for (const who of i % 2 === 0 ? ['contact', 'stranger'] : ['stranger', 'contact']) {
      const s = performance.now();
      const r = await send(who, i);
      lat[who].push(performance.now() - s);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    }
  }
  const contactMedianMs = median(lat.contact);
  const strangerMedianMs = median(lat.stranger);
  return { n, contacts, statuses, contactMedianMs, strangerMedianMs, ratio: Number((strangerMedianMs / contactMedianMs).toFixed(3)) };
};

module.exports = { strangerVsContact };
