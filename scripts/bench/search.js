'use strict';
/**
 * `npm run bench -- --search [--db sqlite|postgres|mysql] [--messages 2000000 --threads 200000 --users 10000]
 *    [--reuse] [--runs 30] [--explain]`
 *
 * Message search, in-process (no HTTP): generates a data set (scripts/generate, which builds the
 * search index in bulk at the end) unless --reuse, boots the playground, and measures on the heavy
 * user (the one in thousands of threads):
 * - GET /search's service for a rare word (a thread number of one of their subjects: a few
 *   messages) and a common word (`hello`, in a large share of all bodies), p50 and p95 over --runs;
 * - the same search without the index, as a site without one would run it: `LIKE` over every
 *   message the caller sees (`lower(body) like '%word%'` or the subject; their memberships, the
 *   visibility rule's watermark, audience and block periods, not deleted), every match counted
 *   (`count(*) over ()`, a paged list's total) and the newest page returned: a scan of the whole
 *   visible set, for a common word too. `likeFirstPage` is the same statement without the total,
 *   which stops after one page walking newest first (cheap for a common word: not a scan);
 * - the service's own statements: each one captured during a call, timed alone (`statement`: the
 *   search statement, `count`: the count that picks its plan, `sample`: SQLite's and MySQL's sample
 *   of which words are common), and with --explain their plans
 *   (PostgreSQL `EXPLAIN (ANALYZE, BUFFERS)`, MariaDB `ANALYZE`, SQLite `EXPLAIN QUERY PLAN`) on stderr;
 * - a reply in a 1:1 thread of theirs and a new 1:1 thread (send) with the index, then with the
 *   index structure removed (SQLite: the FTS5 table swapped for a plain table; PostgreSQL: the GIN
 *   index dropped; MySQL/MariaDB: the FULLTEXT index dropped). PostgreSQL also runs the series with
 *   the GIN index's pending list off (`fastupdate = off`) in between. This leaves the database's
 *   index incomplete: generate again before using it for anything else.
 * `load` is the 1-, 5- and 15-minute load average at the start and at the end.
 * Prints one JSON line of figures.
 */
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { generate, parseArgs: parseGenerateArgs } = require('../generate/index');
const { withStrapi } = require('../generate/strapi');

const parseArgs = (argv) => {
  const o = { db: null, messages: 2000000, threads: 200000, users: 10000, reuse: false, runs: 30, explain: false };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--db') o.db = next();
    else if (a === '--messages') o.messages = Number(next());
    else if (a === '--threads') o.threads = Number(next());
    else if (a === '--users') o.users = Number(next());
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--reuse') o.reuse = true;
    else if (a === '--explain') o.explain = true;
  }
  o.db ??= ['postgres', 'mysql'].includes(process.env.DATABASE_CLIENT) ? process.env.DATABASE_CLIENT : 'sqlite';
  return o;
};

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] * 100) / 100;
};

const time = async (runs, fn) => {
  for (let i = 0; i < Math.min(3, runs); i += 1) await fn();
  const out = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return { p50: quantile(out, 0.5), p95: quantile(out, 0.95), runs };
};

/** visibility.seenBy for memberships row `ms` (repositories/visibility.ts), as SQL. */
const seenBy = `(m.id > ms.visible_after_message_id
  and coalesce(ms.request_state, '') <> 'declined'
  and (m.audience is null
    or (m.audience = 'listed' and coalesce(ms.hidden, false) = false)
    or (m.audience = 'direct' and (ms.user_id = m.author_id or ms.user_id = m.audience_user_id)))
  and not exists (select 1 from pm_blocks vb where vb.blocker_id = ms.user_id and vb.blocked_id = m.author_id
    and vb.after_message_id < m.id and (vb.through_message_id is null or vb.through_message_id >= m.id)))`;

/** The caller's visible messages holding `word` by LIKE, newest first, a page; `total`: every match counted too. */
const likeScan = (knex, db, userId, word, total) => {
  const pattern = `%${word}%`;
  const like = (column) => (db === 'mysql' ? `lower(${column}) like lower(?)` : `lower(${column}) like ?`);
  const q = knex('pm_messages as m')
    .join('pm_memberships as ms', (j) => j.on('ms.thread_id', 'm.thread_id').andOnVal('ms.user_id', userId))
    .join('pm_threads as t', 't.id', 'm.thread_id')
    .select('m.id')
    .whereNull('ms.left_at')
    .whereRaw(seenBy)
    .whereNull('m.deleted_at')
    .where((w) => w.whereRaw(like('m.body'), [pattern]).orWhereRaw(like('t.subject'), [pattern]))
    .orderBy('m.id', 'desc')
    .limit(21);
  if (total) q.select(knex.raw('count(*) over () as total'));
  return q;
};

/** The statements `fn` runs, as knex sends them (PostgreSQL's `$1` placeholders back to knex's `?`). */
const captureStatements = async (knex, fn) => {
  const out = [];
  const onQuery = (q) => out.push({ sql: q.sql.replace(/\$\d+/g, '?'), bindings: [...(q.bindings ?? [])] });
  knex.on('query', onQuery);
  try {
    await fn();
  } finally {
    knex.off('query', onQuery);
  }
  return out;
};

const planOf = async (knex, db, statement) => {
  const prefix = { postgres: 'explain (analyze, buffers) ', mysql: 'analyze ', sqlite: 'explain query plan ' }[db];
  const result = await knex.raw(prefix + statement.sql, statement.bindings);
  const rows = db === 'postgres' ? result.rows : db === 'mysql' ? result[0] : result;
  return rows.map((r) => (db === 'postgres' ? r['QUERY PLAN'] : db === 'sqlite' ? r.detail : JSON.stringify(r))).join('\n');
};

/** The service's search statement and its plan-picking count, timed alone (and explained). */
const statements = async (knex, o, label, call) => {
  const all = await captureStatements(knex, call);
  const isIndex = (x) => /pm_message_(search|fts)/.test(x.sql);
  const search = all.find((x) => isIndex(x) && /order by/i.test(x.sql));
  const count = all.find((x) => isIndex(x) && /count\(\*\) as n from \(/i.test(x.sql));
  const sample = all.find((x) => isIndex(x) && /\bas h0\b/i.test(x.sql));
  const out = { statements: all.length };
  for (const [name, x] of [['statement', search], ['count', count], ['sample', sample]]) {
    if (!x) continue;
    out[name] = await time(o.runs, () => knex.raw(x.sql, x.bindings));
    if (o.explain) console.error(`--- ${o.db} ${label} ${name}:\n${x.sql}\n${JSON.stringify(x.bindings).slice(0, 300)}\n${await planOf(knex, o.db, x)}\n`);
  }
  return out;
};

const dropIndexStructure = async (knex, db) => {
  if (db === 'sqlite') {
    await knex.raw('alter table pm_message_fts rename to pm_message_fts_bench_saved');
    await knex.raw('create table pm_message_fts (text text)');
  } else if (db === 'postgres') await knex.raw('drop index if exists pm_message_search_tsv_idx');
  else await knex.raw('alter table pm_message_search drop index pm_message_search_text_ft');
};

const main = async (argv = process.argv.slice(2)) => {
  const o = parseArgs(argv);
  let manifest;
  if (o.reuse) {
    manifest = require(path.join(__dirname, '..', '..', 'playground', '.tmp', process.env.SEARCH_MANIFEST ?? ''));
  } else {
    ({ manifest } = await generate(parseGenerateArgs(['--db', o.db, '--users', String(o.users), '--threads', String(o.threads), '--messages', String(o.messages), '--fresh', '--quiet'])));
  }
  const heavy = manifest.heavyUser.id;
  const result = await withStrapi(
    async (strapi) => {
      const knex = strapi.db.connection;
      const plugin = strapi.plugin('private-messages');
      const actor = await plugin.service('people').actorOf(heavy);
      const [rare] = await knex('pm_threads as t')
        .join('pm_memberships as ms', (j) => j.on('ms.thread_id', 't.id').andOnVal('ms.user_id', heavy))
        .select('t.subject')
        .whereNull('ms.left_at')
        .whereRaw('ms.visible_after_message_id = 0')
        .andWhere('t.subject', 'like', 'Order #%')
        .orderBy('t.id', 'desc')
        .limit(1);
      const rareWord = rare.subject.split('#')[1];
      const search = (q) => () => plugin.service('search').search(actor, { q });
      const count = async (q) => (await search(q)()).data.length;
      const likeRuns = Math.max(3, Math.floor(o.runs / 4));
      const measure = async (label, q, likeWord) => {
        const out = { q, page: await count(q), index: await time(o.runs, search(q)) };
        Object.assign(out, await statements(knex, o, label, search(q)));
        out.likeMatches = Number((await likeScan(knex, o.db, heavy, likeWord, true))[0]?.total ?? 0);
        out.like = await time(likeRuns, () => likeScan(knex, o.db, heavy, likeWord, true));
        out.likeFirstPage = await time(likeRuns, () => likeScan(knex, o.db, heavy, likeWord, false));
        if (o.explain) console.error(`--- ${o.db} ${label} LIKE:\n${await planOf(knex, o.db, likeScan(knex, o.db, heavy, likeWord, true).toSQL())}\n`);
        out.speedup = Math.round((out.like.p50 / out.index.p50) * 10) / 10;
        if (out.statement) out.statementSpeedup = Math.round((out.like.p50 / out.statement.p50) * 10) / 10;
        return out;
      };
      const [{ n: visible }] = await knex('pm_messages as m')
        .join('pm_memberships as ms', (j) => j.on('ms.thread_id', 'm.thread_id').andOnVal('ms.user_id', heavy))
        .whereNull('ms.left_at')
        .whereRaw(seenBy)
        .whereNull('m.deleted_at')
        .count({ n: '*' });
      const figures = {
        db: o.db,
        messages: manifest.counts.messages,
        heavyUserThreads: manifest.heavyUser.inboxThreads,
        heavyUserVisibleMessages: Number(visible),
        like: 'LIKE over all the visible messages, every match counted, the newest page returned (what a site without the index runs for a paged list with its total)',
        load: [require('node:os').loadavg().map((x) => Math.round(x * 100) / 100)],
        rare: await measure('rare', `${rareWord} order`, rareWord),
        common: await measure('common', 'hello', 'hello'),
      };
      const oneToOne = manifest.oneToOne;
      const author = await plugin.service('people').actorOf(oneToOne.author);
      let n = 0;
      const replyOnce = () => plugin.service('messaging').addReply(author, oneToOne.thread, { body: `bench reply ${(n += 1)} hello world` }, { bypassRules: true });
      const sendOnce = () =>
        plugin.service('messaging').startThread(author, { recipients: [{ type: 'user', id: oneToOne.other }], subject: `Bench ${(n += 1)}`, body: `bench send ${n} hello world` }, { bypassRules: true });
      const replies = Math.max(20, o.runs);
      const series = async () => ({ reply: await time(replies, replyOnce), send: await time(replies, sendOnce) });
      const ratio = (a, b) => Math.round((a.p50 / b.p50) * 100) / 100;
      figures.writes = { withIndex: await series() };
      if (o.db === 'postgres') {
        await knex.raw('alter index pm_message_search_tsv_idx set (fastupdate = off)');
        figures.writes.withIndexNoPendingList = await series();
      }
      await dropIndexStructure(knex, o.db);
      figures.writes.withoutIndex = await series();
      for (const k of ['reply', 'send']) {
        figures.writes[`${k}Ratio`] = ratio(figures.writes.withIndex[k], figures.writes.withoutIndex[k]);
        if (figures.writes.withIndexNoPendingList) figures.writes[`${k}RatioNoPendingList`] = ratio(figures.writes.withIndexNoPendingList[k], figures.writes.withoutIndex[k]);
      }
      figures.load.push(require('node:os').loadavg().map((x) => Math.round(x * 100) / 100));
      return figures;
    },
    { compile: true }
  );
  console.log(JSON.stringify(result));
  return result;
};

module.exports = { main };

if (require.main === module) {
  main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
}
