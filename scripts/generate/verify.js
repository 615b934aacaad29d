'use strict';
/**
 * Checks the generated counters against the messages themselves (the invariants the plugin keeps):
 * `node scripts/generate/verify.js [--db sqlite|postgres|mysql]`. Prints the number of violating rows per
 * rule; exits 1 when any.
 */
const path = require('node:path');
const Module = require('node:module');
const esbuild = require('esbuild');
const { openSink } = require('./index');

/**
 * The plugin's own recount of a member's counts (recountedCounts: visibility.seenBy, with removal,
 * broadcasts' audiences and block periods), from its TypeScript sources bundled in memory with
 * esbuild (as scripts/openapi.js does): the check holds whatever the data, blocks included.
 */
const loadRecount = () => {
  const entry = path.resolve(__dirname, '..', '..', 'server/src/repositories/membership-read-state.ts');
  const { outputFiles } = esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', write: false });
  const mod = new Module(entry, module);
  mod.filename = entry;
  mod.paths = Module._nodeModulePaths(path.dirname(entry));
  mod._compile(outputFiles[0].text, entry);
  return mod.exports.recountedCounts('ms');
};
const recount = loadRecount();

const RULES = {
  'membership.unread_count': `select count(*) as n from pm_memberships ms where ms.left_at is null and ms.unread_count <> ${recount.unreadCount}`,
  'membership.message_count': `select count(*) as n from pm_memberships ms where ms.left_at is null and ms.message_count <> ${recount.messageCount}`,
  'membership.delivered_message_id (everything delivered)': `select count(*) as n from pm_memberships ms where ms.left_at is null
      and ms.delivered_message_id <> (select t.last_message_id from pm_threads t where t.id = ms.thread_id)`,
  'left members: out of the inbox, nothing unread': `select count(*) as n from pm_memberships where left_at is not null and (in_inbox = true or unread_count <> 0)`,
  'membership.has_sent (a message of their own they still see)': `select count(*) as n from pm_memberships ms where ms.left_at is null
      and (case when ms.has_sent then 1 else 0 end) <> (case when exists (select 1 from pm_messages m where m.thread_id = ms.thread_id
         and m.author_id = ms.user_id and m.deleted_at is null and m.id > ms.visible_after_message_id) then 1 else 0 end)`,
  'removed members: visibility watermark set': `select count(*) as n from pm_memberships where removed_at is not null and visible_after_message_id = 0`,
  'thread.message_count / last_message_id': `select count(*) as n from pm_threads t where t.message_count <> (select count(*) from pm_messages m where m.thread_id = t.id)
      or t.last_message_id <> (select max(id) from pm_messages m where m.thread_id = t.id)`,
  'thread.participant_preview written': `select count(*) as n from pm_threads where participant_preview is null`,
  'thread.last_message_at': `select count(*) as n from pm_threads t where t.last_message_at <> (select created_at from pm_messages m where m.id = t.last_message_id)`,
  // Threads about a document: the ask row points at a thread about that document with the asker in it.
  'context ask: its thread is about the document, the asker a member': `select count(*) as n from pm_context_asks a where not exists (select 1 from pm_threads t
      join pm_memberships ms on ms.thread_id = t.id and ms.user_id = a.asker_id
      where t.id = a.thread_id and t.context_uid = a.context_uid and t.context_document_id = a.context_document_id)`,
};

const verify = async (db) => {
  const sink = await openSink(db);
  let bad = 0;
  try {
    for (const [name, sql] of Object.entries(RULES)) {
      const n = Number((await sink.all(sql))[0].n);
      bad += n;
      console.log(`${n === 0 ? 'ok  ' : 'FAIL'} ${name}${n ? `: ${n} rows` : ''}`);
    }
  } finally {
    await sink.close();
  }
  return bad;
};

module.exports = { verify };

if (require.main === module) {
  const i = process.argv.indexOf('--db');
  const db = i > 0 ? process.argv[i + 1] : ['postgres', 'mysql'].includes(process.env.DATABASE_CLIENT) ? process.env.DATABASE_CLIENT : 'sqlite';
  verify(db).then((bad) => process.exit(bad ? 1 : 0), (e) => { console.error(e); process.exit(1); });
}
