'use strict';
/**
 * Threads about a document ("contact the seller") in the benchmark, on the generated listings
 * (scripts/generate/contexts.js: 100,000 context threads at the full size, one seller with 10,000
 * listings and 50,000 asks):
 * - routes: the seller's inbox page (paged like the heavy user's) and GET /threads/by-context for an
 *   asker still in their thread (one unique-index lookup of the ask row);
 * - writes: asks by the heavy user, each about a listing of the seller's they never asked about (a
 *   new thread), then again about the first one (a reply in the thread found), beside 1:1 replies;
 * - plans: every SELECT an ask runs, checked like the hot GET routes' (index lookups only).
 */
const LISTING = 'api::listing.listing';

/** The GET routes (name → [url, user id]); none when the data set has no context threads. */
const contextRoutes = (m) => {
  const c = m.contexts;
  if (!c?.sample) return {};
  return {
    inboxContextOwner: ['/api/private-messages/threads', c.seller.id],
    byContext: [`/api/private-messages/threads/by-context?uid=${encodeURIComponent(LISTING)}&documentId=${c.sample.listing}`, c.sample.asker],
  };
};

/**
 * The ask series and the plans of an ask's queries. `tools`: hit, record, writes, withoutAuth,
 * checkPlans(route, queries) from index.js.
 */
const contextWrites = async (o, m, tools, out) => {
  const c = m.contexts;
  if (!c?.sample) return;
  const { hit, record, writes, withoutAuth, checkPlans, log } = tools;
  const H = m.heavyUser.id;
  const n = o.quick || o.shortWrites ? 30 : 100;
  const listings = c.sellerListings;
  const ask = (documentId, i) => ({ context: { uid: LISTING, documentId }, body: `Is it still available? (${i})` });
  const auth = (await record('GET', '/api/bench/ping', H)).queries;

  // The plans first, on listings kept out of the series: a new thread, then the same ask again.
  const fresh = listings[listings.length - 1];
  const recNew = await record('POST', '/api/private-messages/threads', H, ask(fresh, 'plan'));
  const recReused = await record('POST', '/api/private-messages/threads', H, ask(fresh, 'plan again'));
  // A new thread is a 201; asking again (a reply in the thread found) a 200 or 201.
  const ok = (r) => r.res.status >= 200 && r.res.status < 300;
  if (!ok(recNew) || !ok(recReused)) {
    const bad = ok(recNew) ? recReused : recNew;
    out.writes.askNew = { unsupported: true, status: bad.res.status, error: bad.res.json?.error ?? bad.res.text.slice(0, 300) };
    log(`-- ask: HTTP ${bad.res.status} ${bad.res.text.slice(0, 300)}`);
    return;
  }
  await checkPlans('askNew', withoutAuth(recNew.queries, auth));
  await checkPlans('askReused', withoutAuth(recReused.queries, auth));

  out.writes.askNew = await writes(Math.min(n, listings.length - 1), (i) => hit('POST', '/api/private-messages/threads', H, ask(listings[i], i)));
  out.writes.askNew.contextThreads = c.threads;
  log(`-- ask about a listing (a new thread each), ${c.threads} context threads: ${JSON.stringify(out.writes.askNew)}`);
  out.writes.askReused = await writes(n, (i) => hit('POST', '/api/private-messages/threads', H, ask(listings[0], i)));
  out.writes.askReused.contextThreads = c.threads;
  log(`-- ask again about the same listing (a reply in the thread found): ${JSON.stringify(out.writes.askReused)}`);
  out.writes.reply1to1Ask = await writes(n, (i) => hit('POST', `/api/private-messages/threads/${m.oneToOne.thread}/messages`, H, { body: `Benchmark reply ${i}.` }));
  log(`-- reply 1:1, right after: ${JSON.stringify(out.writes.reply1to1Ask)}`);
};

module.exports = { contextRoutes, contextWrites, LISTING };
