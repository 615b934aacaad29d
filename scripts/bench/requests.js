'use strict';
/**
 * Message requests in the benchmark: a new thread to a stranger against one to a contact, by the
 * same author, interleaved (the machine drifts over minutes). The send gate's contact check is one
 * lookup of pm_contacts' unique (user_id, contact_id) index, never a scan of the history, so the
 * two cost the same whatever the number of messages (docs/api.md, *Message requests and who may
 * message me*). Called by scripts/bench/index.js on the main data set, with the server running.
 *
 * Each round sends one of each, in an order drawn at random (seeded, so runs repeat), not in a
 * fixed alternation. Every send kicks the outbox, whose work runs on the server's one event loop
 * after the response and delays the next request or the one after; by the time this runs, the
 * benchmark's messages to a role have left tens of thousands of notification emails being retried
 * (no mail server listens). In the fixed order contact-stranger, stranger-contact, the send two
 * places after a contact is always a stranger and the reverse, so work that lands two requests
 * later always counted for one side: on a 2M-message SQLite data set, quiet machine, the same sends
 * measured 0.78× to 1.13× from one run to the next (1.24× once), with the same statements and the
 * same time inside the server; only the wait before the server took the request differed.
 */
const { performance } = require('node:perf_hooks');
const { rng } = require('../generate/model');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : Number(s[Math.floor(s.length / 2)].toFixed(2));
};

/**
 * `hit(method, url, userId, body)` as in index.js; `sink` the data set's database (read-only);
 * `author` the sender (the heavy user). A contact: someone who wrote to them; a stranger: someone
 * who never did.
 */
const strangerVsContact = async ({ hit, sink, author, contactSender, n }) => {
  const id = Number(author);
  if (!Number.isSafeInteger(id)) throw new Error(`Not a user id: ${author}`);
  // The generator writes its data after the boot that fills contacts from history, and the data
  // set is opened read-only here: `contactSender` writes to the author through the API, which
  // makes the author one of their contacts (repositories/contacts), as on a live site.
  const made = await hit('POST', '/api/private-messages/threads', contactSender, { recipients: [{ type: 'user', id }], body: 'Hello' });
  if (made.status !== 201) return { unsupported: true, reason: `the contact's first message was answered ${made.status}` };
  const contacts = Number((await sink.all('select count(*) as n from pm_contacts'))[0].n);
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
  const order = rng(42);
  for (let i = 0; i < n; i += 1) {
    for (const who of order.next() < 0.5 ? ['contact', 'stranger'] : ['stranger', 'contact']) {
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
