'use strict';
/**
 * `npm run bench -- --search [--db sqlite|postgres|mysql] [--messages 2000000 --threads 200000 --users 10000]
 *    [--reuse] [--runs 30]`
 *
 * Message search, in-process (no HTTP): generates a data set (scripts/generate, which builds the
 * search index in bulk at the end) unless --reuse, boots the playground, and measures on the heavy
 * user (the one in thousands of threads):
 * - GET /search's service for a rare word (a thread number of one of their subjects: a few
 *   messages) and a common word (`hello`, in a large share of all bodies), p50 and p95 over --runs;
 * - the same visible messages searched with LIKE (`lower(body) like '%word%'`, the caller's
 *   memberships, their watermark, not deleted), newest first, one page: what a site without the
 *   index would run;
 * - a reply in a 1:1 thread of theirs with the index, then with the index structure removed
 *   (SQLite: the FTS5 table swapped for a plain table; PostgreSQL: the GIN index dropped;
 *   MySQL/MariaDB: the FULLTEXT index dropped). This leaves the database's index incomplete: generate
 *   again before using it for anything else.
 * Prints one JSON line of figures.
 */
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { generate, parseArgs: parseGenerateArgs } = require('../generate/index');
const { withStrapi } = require('../generate/strapi');

const parseArgs = (argv) => {
  const o = { db: null, messages: 2000000, threads: 200000, users: 10000, reuse: false, runs: 30 };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--db') o.db = next();
    else if (a === '--messages') o.messages = Number(next());
    else if (a === '--threads') o.threads = Number(next());
    else if (a === '--users') o.users = Number(next());
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--reuse') o.reuse = true;
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

const likeScan = (knex, db, userId, word) => {
  const pattern = `%${word}%`;
  const lower = db === 'mysql' ? 'lower(m.body) like lower(?)' : 'lower(m.body) like ?';
  return knex('pm_messages as m')
    .join('pm_memberships as ms', (j) => j.on('ms.thread_id', 'm.thread_id').andOnVal('ms.user_id', userId))
    .join('pm_threads as t', 't.id', 'm.thread_id')
    .select('m.id')
    .whereNull('ms.left_at')
    .whereRaw('m.id > ms.visible_after_message_id')
    .whereNull('m.deleted_at')
    .where((w) => w.whereRaw(lower, [pattern]).orWhereRaw(db === 'mysql' ? 'lower(t.subject) like lower(?)' : 'lower(t.subject) like ?', [pattern]))
    .orderBy('m.id', 'desc')
    .limit(21);
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
      const figures = {
        db: o.db,
        messages: manifest.counts.messages,
        heavyUserThreads: manifest.heavyUser.inboxThreads,
        rare: { q: `${rareWord} order`, page: await count(`${rareWord} order`), index: await time(o.runs, search(`${rareWord} order`)), like: await time(Math.max(3, Math.floor(o.runs / 6)), () => likeScan(knex, o.db, heavy, rareWord)) },
        common: { q: 'hello', page: await count('hello'), index: await time(o.runs, search('hello')), like: await time(Math.max(3, Math.floor(o.runs / 6)), () => likeScan(knex, o.db, heavy, 'hello')) },
      };
      for (const k of ['rare', 'common']) figures[k].speedup = Math.round((figures[k].like.p50 / figures[k].index.p50) * 10) / 10;
      const oneToOne = manifest.oneToOne;
      const author = await plugin.service('people').actorOf(oneToOne.author);
      let n = 0;
      const replyOnce = () => plugin.service('messaging').addReply(author, oneToOne.thread, { body: `bench reply ${(n += 1)} hello world` }, { bypassRules: true });
      const replies = Math.max(20, o.runs);
      figures.reply = { withIndex: await time(replies, replyOnce) };
      await dropIndexStructure(knex, o.db);
      figures.reply.withoutIndex = await time(replies, replyOnce);
      figures.reply.ratio = Math.round((figures.reply.withIndex.p50 / figures.reply.withoutIndex.p50) * 100) / 100;
      figures.load = require('node:os').loadavg().map((x) => Math.round(x * 100) / 100);
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
