#!/usr/bin/env node
'use strict';
/**
 * `npm run generate -- --users N --threads N --messages N [--group-share 0.1] [--db sqlite|postgres|mysql]
 *    [--baselines none|rest|drupal|all] [--seed 42] [--fresh] [--no-boot]`
 *
 * Fills the playground's database (SQLite `playground/.tmp/data.db`, or DATABASE_FILENAME; PostgreSQL
 * and MySQL/MariaDB from DATABASE_* like playground/config/database.ts) with generated private-messages data: users
 * (one heavy user with thousands of threads), 1:1 and group threads, a few 1,000-member groups,
 * messages, exact read state with removed and left members, tags and blocks. Strapi is booted once
 * for its schema sync, then everything goes in through bulk inserts with the tables' secondary
 * indexes dropped and rebuilt. With `--baselines`, the same data also goes into the playground's own
 * thread/message/membership collection types (the core-REST baseline) and into Drupal privatemsg
 * 7.x's `pm_message`/`pm_index` tables (the benchmark's baselines).
 *
 * Generated users are `gen_<n>` with the password `Password123!`; `gen_1` is the heavy user. Running
 * again replaces the previous generated data (all private-messages rows and the gen_ users).
 */
const fs = require('node:fs');
const path = require('node:path');
const cliProgress = require('cli-progress');
const { buildModel } = require('./model');
const { sqliteSink, pgSink, mysqlSink } = require('./sinks');
const { PLAYGROUND, withStrapi } = require('./strapi');

const PASSWORD = 'Password123!';

const parseArgs = (argv) => {
  const o = {
    users: 10000, threads: 200000, messages: 2000000, groupShare: 0.1, db: null,
    baselines: 'none', seed: 42, fresh: false, boot: true, manifest: null, quiet: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--users') o.users = Number(next());
    else if (a === '--threads') o.threads = Number(next());
    else if (a === '--messages') o.messages = Number(next());
    else if (a === '--group-share') o.groupShare = Number(next());
    else if (a === '--db') o.db = next();
    else if (a === '--baselines') o.baselines = next();
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--fresh') o.fresh = true;
    else if (a === '--no-boot') o.boot = false;
    else if (a === '--manifest') o.manifest = next();
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0]);
      process.exit(0);
    } else throw new Error(`Unknown argument ${a}`);
  }
  o.db ??= ['postgres', 'mysql'].includes(process.env.DATABASE_CLIENT) ? process.env.DATABASE_CLIENT : 'sqlite';
  if (!['sqlite', 'postgres', 'mysql'].includes(o.db)) throw new Error('--db is sqlite, postgres or mysql');
  if (!(o.users >= 3 && o.threads >= 1 && o.messages >= 1)) throw new Error('--users >= 3, --threads >= 1, --messages >= 1');
  return o;
};

const pgConnection = () => ({
  host: process.env.DATABASE_HOST ?? '127.0.0.1',
  port: Number(process.env.DATABASE_PORT ?? 5432),
  database: process.env.DATABASE_NAME ?? 'private_messages',
  user: process.env.DATABASE_USERNAME ?? 'postgres',
  password: process.env.DATABASE_PASSWORD ?? '',
});

const mysqlConnection = () => ({
  host: process.env.DATABASE_HOST ?? '127.0.0.1',
  port: Number(process.env.DATABASE_PORT ?? 3306),
  database: process.env.DATABASE_NAME ?? 'private_messages',
  user: process.env.DATABASE_USERNAME ?? 'root',
  password: process.env.DATABASE_PASSWORD ?? '',
});

const sqliteFile = () => path.resolve(PLAYGROUND, process.env.DATABASE_FILENAME ?? '.tmp/data.db');

/** Creates the PostgreSQL database when missing (and drops it first with --fresh). */
const preparePg = async (fresh) => {
  const { Client } = require('pg');
  const c = pgConnection();
  const admin = new Client({ ...c, database: 'postgres' });
  await admin.connect();
  try {
    if (fresh) await admin.query(`drop database if exists "${c.database}" with (force)`);
    const { rows } = await admin.query('select 1 from pg_database where datname = $1', [c.database]);
    if (rows.length === 0) await admin.query(`create database "${c.database}"`);
  } finally {
    await admin.end();
  }
};

/** Creates the MySQL/MariaDB database (utf8mb4) when missing (and drops it first with --fresh). */
const prepareMysql = async (fresh) => {
  const mysql = require('mysql2/promise');
  const { database, ...c } = mysqlConnection();
  const admin = await mysql.createConnection(c);
  try {
    if (fresh) await admin.query(`drop database if exists \`${database}\``);
    await admin.query(`create database if not exists \`${database}\` character set utf8mb4`);
  } finally {
    await admin.end();
  }
};

/** The sink (bulk writer) for a database kind; see sinks.js. */
const openSink = async (db, { readOnly = false } = {}) => {
  if (db === 'postgres') return pgSink(pgConnection());
  if (db === 'mysql') return mysqlSink(mysqlConnection());
  return sqliteSink(sqliteFile(), { readOnly });
};

/* Document ids: 24 lowercase characters like Strapi's, unique per table and row. */
const docId = (prefix, n) => `${prefix}${n.toString(36).padStart(23, '0')}`;

const DRUPAL_DDL = {
  pm_message: `create table pm_message (
    mid integer primary key, author integer not null, subject varchar(255) not null, body text not null,
    format varchar(255), timestamp integer not null, has_tokens integer not null default 0)`,
  pm_index: `create table pm_index (
    mid integer not null, thread_id integer not null, recipient integer not null, is_new integer not null default 1,
    deleted integer not null default 0, type varchar(255) not null default 'user', primary key (mid, recipient, type))`,
  indexes: [
    'create index pm_index_list on pm_index (recipient, type, deleted, is_new)',
    'create index pm_index_messages on pm_index (mid, recipient, type)',
    'create index pm_index_participants on pm_index (thread_id, recipient, type, deleted)',
  ],
};

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * What the benchmark needs of the threads about listings: the seller (their inbox), a listing of
 * theirs and an asker still in their thread about it (finding the thread), and counts.
 */
const contextManifest = (m, userId, listingDoc, threadsPerUser) => {
  const cx = m.contexts;
  if (cx.contextThreads === 0) return null;
  let sample = null;
  for (const [t, l] of cx.asks) {
    const k0 = m.memberOffsets[t];
    if (cx.listingOwner[l] === cx.SELLER && m.mInInbox[k0] && m.mInInbox[k0 + 1] && !m.mLeftAt[k0]) {
      sample = { listing: listingDoc(l), asker: userId(m.memberUser[k0]), thread: docId('t', t) };
      break;
    }
  }
  return {
    uid: 'api::listing.listing',
    threads: cx.contextThreads, asks: cx.asks.length, listings: cx.listingOwner.length,
    seller: { id: userId(cx.SELLER), username: `gen_${cx.SELLER + 1}`, listings: cx.sellerListings, asks: cx.sellerAsks, inboxThreads: threadsPerUser[cx.SELLER] },
    // Listings of the seller nobody of the heavy user's has asked about: the heavy user asks there.
    sellerListings: Array.from({ length: Math.min(cx.sellerListings, 400) }, (_, l) => listingDoc(l)),
    sample,
  };
};

async function generate(options) {
  const o = { ...parseArgs([]), ...options };
  const log = o.quiet ? () => {} : (...a) => console.log(...a);
  const t0 = Date.now();
  const timings = { tables: {} };

  if (o.db === 'postgres') {
    process.env.DATABASE_CLIENT = 'postgres';
    await preparePg(o.fresh);
  } else if (o.db === 'mysql') {
    process.env.DATABASE_CLIENT = 'mysql';
    await prepareMysql(o.fresh);
  } else {
    process.env.DATABASE_CLIENT = 'sqlite';
    const file = sqliteFile();
    if (o.fresh) for (const s of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${s}`, { force: true });
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  // 1. Schema: boot Strapi once (tables, columns and indexes as Strapi declares them).
  if (o.boot) {
    const tb = Date.now();
    // PM_NO_COMPILE=true: the playground is already compiled (benchmarks running side by side must
    // not rewrite playground/dist while another one's server starts from it).
    await withStrapi(async () => {}, { compile: process.env.PM_NO_COMPILE !== 'true' });
    timings.boot = Date.now() - tb;
    log(`Schema synced by booting Strapi (${seconds(timings.boot)})`);
  }

  const sink = await openSink(o.db);
  let result;
  try {
    // 2. The data set, in memory.
    const tm = Date.now();
    const m = buildModel(o);
    timings.model = Date.now() - tm;
    log(
      `Data set: ${m.U} users, ${m.T} threads (${m.groups} groups, ${m.bigGroups} of ${m.bigGroupSize} members), ` +
        `${m.M} messages, ${m.totalMembers} memberships, ${m.tags.length} tags, ${m.blocks.length} blocks ` +
        `(built in ${seconds(timings.model)})`
    );

    // 3. Clear what a previous run (or the demo seed) left.
    const plugin = ['pm_memberships_tags_lnk', 'pm_tags', 'pm_blocks', 'pm_memberships', 'pm_messages', 'pm_threads'];
    const rest = ['threads_last_message_lnk', 'messages_thread_lnk', 'messages_author_lnk', 'memberships_thread_lnk', 'memberships_user_lnk', 'threads', 'messages', 'memberships'];
    const drupal = ['pm_index', 'pm_message'];
    const listTables = {
      sqlite: "select name from sqlite_master where type='table'",
      postgres: 'select tablename as name from pg_tables where schemaname = current_schema()',
      mysql: 'select table_name as name from information_schema.tables where table_schema = database()',
    }[sink.kind];
    // The message search index is dropped here and built in bulk by the boot at the end (step 6).
    const searchTables = { sqlite: ['pm_message_fts'], postgres: ['pm_message_search'], mysql: ['pm_message_search'] }[sink.kind];
    for (const t of searchTables) if (await sink.exists(t)) await sink.exec(`drop table "${t}"`);
    const extraPluginTables = (await sink.all(listTables))
      .map((r) => r.name)
      .filter((n) => n.startsWith('pm_') && !plugin.includes(n) && !drupal.includes(n) && !n.startsWith('pm_message_fts'));
    const clear = [...plugin, ...extraPluginTables, ...rest, ...drupal];
    const emptyTable = {
      sqlite: (t) => `delete from "${t}"`,
      postgres: (t) => `truncate "${t}" restart identity cascade`,
      mysql: (t) => `truncate table "${t}"`, // the sink's session has foreign key checks off
    }[sink.kind];
    for (const t of clear) {
      if (!(await sink.exists(t))) continue;
      await sink.exec(emptyTable(t));
    }
    // (No LIKE: its escape character differs between the databases.)
    const genUser = "substr(username, 1, 4) = 'gen_'";
    // The generated users' listings (the playground's seed listings stay).
    await sink.exec(`delete from listings where id in (select listing_id from listings_seller_lnk where user_id in (select id from up_users where ${genUser}))`);
    await sink.exec(`delete from listings_seller_lnk where user_id in (select id from up_users where ${genUser})`);
    await sink.exec(`delete from up_users_role_lnk where user_id in (select id from up_users where ${genUser})`);
    await sink.exec(`delete from up_users where ${genUser}`);

    const role = (await sink.all("select id from up_roles where type = 'authenticated'"))[0];
    if (!role) throw new Error('No Authenticated role: was the schema synced (Strapi booted) on this database?');
    const uBase = Number((await sink.all('select coalesce(max(id), 0) as m from up_users'))[0].m);
    const userId = (u) => uBase + u + 1;
    const threadId = (t) => t + 1;
    const memberId = (k) => k + 1;

    const withBaselines = (name) => o.baselines === 'all' || o.baselines.split(',').includes(name);
    if (withBaselines('drupal')) {
      for (const t of ['pm_message', 'pm_index']) if (!(await sink.exists(t))) await sink.exec(DRUPAL_DDL[t]);
      for (const ddl of DRUPAL_DDL.indexes) {
        if (sink.kind !== 'mysql') await sink.exec(ddl.replace('create index', 'create index if not exists'));
        else if (!(await sink.all('select 1 from information_schema.statistics where table_schema = database() and index_name = ?', [ddl.split(' ')[2]])).length) await sink.exec(ddl);
      }
    }

    // 4. Bulk loads: rows, table by table, with a progress bar over all rows.
    const bcrypt = require('bcryptjs');
    const hash = bcrypt.hashSync(PASSWORD, 10);
    const created = new Date(m.created);
    const ts = (ms) => new Date(ms);
    const threadFirst = (t) => m.threadMsgs[m.msgOffsets[t]];
    const threadLast = (t) => m.threadMsgs[m.msgOffsets[t + 1] - 1];
    const messageAuthorUser = (i) => m.memberUser[m.memberOffsets[m.msgThread[i]] + m.msgAuthor[i]];
    const excerpt = (s) => (s.length > 140 ? `${s.slice(0, 139)}…` : s);

    let drupalRows = 0;
    for (let i = 0; i < m.M; i += 1) drupalRows += m.memberOffsets[m.msgThread[i] + 1] - m.memberOffsets[m.msgThread[i]];

    const jobs = [];
    const job = (group, table, columns, count, produce) => jobs.push({ group, table, columns, count, produce });

    job('plugin', 'up_users', ['id', 'document_id', 'username', 'email', 'provider', 'password', 'confirmed', 'blocked', 'created_at', 'updated_at', 'published_at'], m.U, async (push) => {
      for (let u = 0; u < m.U; u += 1) push([userId(u), docId('u', u), `gen_${u + 1}`, `gen_${u + 1}@generated.test`, 'local', hash, true, false, created, created, created]);
    });
    job('plugin', 'up_users_role_lnk', ['user_id', 'role_id', 'user_ord'], m.U, async (push) => {
      for (let u = 0; u < m.U; u += 1) push([userId(u), role.id, u + 1]);
    });
    // The plugin's participant preview (repositories/threads.ts): the first 10 members by user id, departed flagged.
    const participantPreview = (t) => {
      const members = [];
      for (let k = m.memberOffsets[t]; k < m.memberOffsets[t + 1]; k += 1) members.push(k);
      members.sort((a, b) => m.memberUser[a] - m.memberUser[b]);
      return JSON.stringify(members.slice(0, 10).map((k) => (m.mLeftAt[k] ? { userId: userId(m.memberUser[k]), left: true } : { userId: userId(m.memberUser[k]) })));
    };
    // Threads about a listing (contexts.js): the listing's uid and documentId on the thread.
    const cx = m.contexts;
    const LISTING = 'api::listing.listing';
    const listingDoc = (l) => docId('l', l);
    job('plugin', 'pm_threads', ['id', 'document_id', 'subject', 'is_group', 'member_count', 'message_count', 'last_message_id', 'last_message_at', 'starter_id', 'participant_preview', 'context_uid', 'context_document_id', 'created_at', 'updated_at', 'published_at'], m.T, async (push) => {
      for (let t = 0; t < m.T; t += 1) {
        const first = ts(m.msgTime[threadFirst(t)]);
        const last = threadLast(t);
        const l = cx.threadListing[t];
        push([threadId(t), docId('t', t), m.subject(t), m.threadIsGroup[t] === 1, m.memberOffsets[t + 1] - m.memberOffsets[t], m.msgOffsets[t + 1] - m.msgOffsets[t], last + 1, ts(m.msgTime[last]), userId(m.memberUser[m.memberOffsets[t]]), participantPreview(t), l >= 0 ? LISTING : null, l >= 0 ? listingDoc(l) : null, first, ts(m.msgTime[last]), first]);
      }
    });
    // One ask row per (listing, asker): the asker's current thread about it.
    job('plugin', 'pm_context_asks', ['id', 'document_id', 'context_uid', 'context_document_id', 'asker_id', 'thread_id', 'created_at', 'updated_at', 'published_at'], cx.asks.length, async (push) => {
      cx.asks.forEach(([t, l], i) => {
        const first = ts(m.msgTime[threadFirst(t)]);
        push([i + 1, docId('a', i), LISTING, listingDoc(l), userId(m.memberUser[m.memberOffsets[t]]), threadId(t), first, first, first]);
      });
    });
    // The listings, as Strapi's document service writes a published one: a draft row and a
    // published row per document (default locale), each linked to its seller.
    const lBase = Number((await sink.all('select coalesce(max(id), 0) as m from listings'))[0].m);
    const nListings = cx.listingOwner.length;
    job('plugin', 'listings', ['id', 'document_id', 'title', 'price', 'locale', 'created_at', 'updated_at', 'published_at'], 2 * nListings, async (push) => {
      for (let l = 0; l < nListings; l += 1) {
        const title = `Listing ${l + 1}: ${m.subject(l).replace(/ #\d+$/, '') || 'Bicycle'}`;
        const price = 5 + (l % 500);
        push([lBase + 2 * l + 1, listingDoc(l), title, price, 'en', created, created, null]);
        push([lBase + 2 * l + 2, listingDoc(l), title, price, 'en', created, created, created]);
      }
    });
    job('plugin', 'listings_seller_lnk', ['listing_id', 'user_id'], 2 * nListings, async (push) => {
      for (let l = 0; l < nListings; l += 1) {
        push([lBase + 2 * l + 1, userId(cx.listingOwner[l])]);
        push([lBase + 2 * l + 2, userId(cx.listingOwner[l])]);
      }
    });
    job('plugin', 'pm_messages', ['id', 'document_id', 'thread_id', 'author_id', 'body', 'format', 'excerpt', 'created_at', 'updated_at', 'published_at'], m.M, async (push, drain) => {
      for (let i = 0; i < m.M; i += 1) {
        const text = m.text(i);
        const at = ts(m.msgTime[i]);
        if (push([i + 1, docId('m', i), threadId(m.msgThread[i]), userId(messageAuthorUser(i)), `<p>${text}</p>`, 'plain_text', excerpt(text), at, at, at]) && drain) await drain();
      }
    });
    job('plugin', 'pm_memberships', ['id', 'document_id', 'thread_id', 'user_id', 'in_inbox', 'archived', 'has_sent', 'last_activity_at', 'last_read_message_id', 'unread_count', 'message_count', 'visible_after_message_id', 'delivered_message_id', 'removed_at', 'left_at', 'created_at', 'updated_at', 'published_at'], m.totalMembers, async (push, drain) => {
      for (let t = 0; t < m.T; t += 1) {
        const first = ts(m.msgTime[threadFirst(t)]);
        // Every message is delivered: the thread's last one is each member's delivery mark.
        const delivered = threadLast(t) + 1;
        for (let k = m.memberOffsets[t]; k < m.memberOffsets[t + 1]; k += 1) {
          const changed = ts(Math.max(m.mActivity[k], m.mRemovedAt[k], m.mLeftAt[k]));
          if (push([memberId(k), docId('p', k), threadId(t), userId(m.memberUser[k]), m.mInInbox[k] === 1, m.mArchived[k] === 1, m.mHasSent[k] === 1, ts(m.mActivity[k]), m.mLastRead[k], m.mUnread[k], m.mCount[k], m.mVisibleAfter[k], delivered, m.mRemovedAt[k] ? ts(m.mRemovedAt[k]) : null, m.mLeftAt[k] ? ts(m.mLeftAt[k]) : null, first, changed, first]) && drain) await drain();
        }
      }
    });
    job('plugin', 'pm_tags', ['id', 'document_id', 'name', 'name_key', 'owner_id', 'created_at', 'updated_at', 'published_at'], m.tags.length, async (push) => {
      m.tags.forEach((tag, i) => push([i + 1, docId('g', i), tag.name, tag.name.toLowerCase(), userId(tag.user), created, created, created]));
    });
    job('plugin', 'pm_memberships_tags_lnk', ['membership_id', 'tag_id', 'tag_ord'], m.tagLinks.length, async (push) => {
      for (const [k, g] of m.tagLinks) push([memberId(k), g + 1, 1]);
    });
    // Blocks begin after the last message (a block period in message ids, still on): no past counter changes.
    job('plugin', 'pm_blocks', ['document_id', 'blocker_id', 'blocked_id', 'after_message_id', 'through_message_id', 'created_at', 'updated_at', 'published_at'], m.blocks.length, async (push) => {
      const now = new Date();
      m.blocks.forEach(([a, b], i) => push([docId('b', i), userId(a), userId(b), m.M, null, now, now, now]));
    });

    if (withBaselines('rest')) {
      job('rest', 'threads', ['id', 'document_id', 'subject', 'is_group', 'message_count', 'last_message_at', 'created_at', 'updated_at', 'published_at'], m.T, async (push) => {
        for (let t = 0; t < m.T; t += 1) {
          const first = ts(m.msgTime[threadFirst(t)]);
          const last = ts(m.msgTime[threadLast(t)]);
          push([threadId(t), docId('t', t), m.subject(t), m.threadIsGroup[t] === 1, m.msgOffsets[t + 1] - m.msgOffsets[t], last, first, last, first]);
        }
      });
      job('rest', 'threads_last_message_lnk', ['thread_id', 'message_id'], m.T, async (push) => {
        for (let t = 0; t < m.T; t += 1) push([threadId(t), threadLast(t) + 1]);
      });
      job('rest', 'messages', ['id', 'document_id', 'body', 'excerpt', 'created_at', 'updated_at', 'published_at'], m.M, async (push, drain) => {
        for (let i = 0; i < m.M; i += 1) {
          const text = m.text(i);
          const at = ts(m.msgTime[i]);
          if (push([i + 1, docId('m', i), `<p>${text}</p>`, excerpt(text), at, at, at]) && drain) await drain();
        }
      });
      job('rest', 'messages_thread_lnk', ['message_id', 'thread_id', 'message_ord'], m.M, async (push, drain) => {
        for (let t = 0; t < m.T; t += 1) {
          for (let j = m.msgOffsets[t]; j < m.msgOffsets[t + 1]; j += 1) {
            if (push([m.threadMsgs[j] + 1, threadId(t), j - m.msgOffsets[t] + 1]) && drain) await drain();
          }
        }
      });
      job('rest', 'messages_author_lnk', ['message_id', 'user_id'], m.M, async (push, drain) => {
        for (let i = 0; i < m.M; i += 1) if (push([i + 1, userId(messageAuthorUser(i))]) && drain) await drain();
      });
      job('rest', 'memberships', ['id', 'document_id', 'in_inbox', 'last_activity_at', 'unread_count', 'created_at', 'updated_at', 'published_at'], m.totalMembers, async (push, drain) => {
        for (let k = 0; k < m.totalMembers; k += 1) {
          if (push([memberId(k), docId('p', k), m.mInInbox[k] === 1, ts(m.mActivity[k]), m.mUnread[k], created, created, created]) && drain) await drain();
        }
      });
      job('rest', 'memberships_thread_lnk', ['membership_id', 'thread_id', 'membership_ord'], m.totalMembers, async (push, drain) => {
        for (let t = 0; t < m.T; t += 1) {
          for (let k = m.memberOffsets[t]; k < m.memberOffsets[t + 1]; k += 1) if (push([memberId(k), threadId(t), k - m.memberOffsets[t] + 1]) && drain) await drain();
        }
      });
      job('rest', 'memberships_user_lnk', ['membership_id', 'user_id'], m.totalMembers, async (push, drain) => {
        for (let k = 0; k < m.totalMembers; k += 1) if (push([memberId(k), userId(m.memberUser[k])]) && drain) await drain();
      });
    }

    if (withBaselines('drupal')) {
      job('drupal', 'pm_message', ['mid', 'author', 'subject', 'body', 'format', 'timestamp', 'has_tokens'], m.M, async (push, drain) => {
        for (let i = 0; i < m.M; i += 1) {
          if (push([i + 1, userId(messageAuthorUser(i)), m.subject(m.msgThread[i]), `<p>${m.text(i)}</p>`, 'plain_text', Math.floor(m.msgTime[i] / 1000), 0]) && drain) await drain();
        }
      });
      // One row per message per member (the author included), as privatemsg writes them.
      job('drupal', 'pm_index', ['mid', 'thread_id', 'recipient', 'is_new', 'deleted', 'type'], drupalRows, async (push, drain) => {
        for (let i = 0; i < m.M; i += 1) {
          const t = m.msgThread[i];
          const id = i + 1;
          const tid = threadFirst(t) + 1;
          for (let k = m.memberOffsets[t]; k < m.memberOffsets[t + 1]; k += 1) {
            const deleted = m.mLeftAt[k] || id <= m.mVisibleAfter[k] ? 1 : 0;
            const isNew = !deleted && id > m.mLastRead[k] && k - m.memberOffsets[t] !== m.msgAuthor[i] ? 1 : 0;
            if (push([id, tid, userId(m.memberUser[k]), isNew, deleted, 'user']) && drain) await drain();
          }
        }
      });
    }

    const total = jobs.reduce((s, j) => s + j.count, 0);
    const bar = o.quiet
      ? { start() {}, increment() {}, update() {}, stop() {} }
      : new cliProgress.SingleBar(
          { format: 'Loading {bar} {percentage}% | {value}/{total} rows | {table} | {duration}s', hideCursor: true, etaBuffer: 50 },
          cliProgress.Presets.shades_classic
        );
    bar.start(total, 0, { table: '' });
    const cpu0 = { generator: process.cpuUsage(), database: await sink.serverCpuSeconds?.() };
    const groupTime = {};
    for (const group of ['plugin', 'rest', 'drupal']) {
      const list = jobs.filter((j) => j.group === group);
      if (list.length === 0) continue;
      const tg = Date.now();
      for (const j of list) {
        const have = await sink.columns(j.table);
        const missing = j.columns.filter((c) => !have.includes(c));
        if (missing.length) throw new Error(`${j.table} has no column(s) ${missing.join(', ')}: schema changed?`);
        await sink.dropIndexes(j.table);
      }
      for (const j of list) {
        bar.update({ table: j.table });
        const tl = Date.now();
        await sink.load(j.table, j.columns, j.produce, (n) => bar.increment(n, { table: j.table }));
        timings.tables[j.table] = { load: Date.now() - tl };
      }
      for (const j of list) {
        bar.update({ table: `indexes of ${j.table}` });
        const ti = Date.now();
        await sink.restoreIndexes(j.table);
        timings.tables[j.table].indexes = Date.now() - ti;
      }
      groupTime[group] = Date.now() - tg;
    }
    bar.stop();
    const tf = Date.now();
    await sink.finish(jobs.filter((j) => j.columns.includes('id')).map((j) => j.table));
    timings.finish = Date.now() - tf;
    const cpu1 = process.cpuUsage(cpu0.generator);
    const dbCpu = cpu0.database != null ? (await sink.serverCpuSeconds()) - cpu0.database : null;
    timings.cpuSeconds = { generator: Math.round((cpu1.user + cpu1.system) / 1e4) / 100, database: dbCpu != null ? Math.round(dbCpu * 100) / 100 : null };
    Object.assign(timings, Object.fromEntries(Object.entries(groupTime).map(([k, v]) => [`load_${k}`, v])));
    timings.total = Date.now() - t0;

    // 5. What the benchmark needs to know about the data set.
    const heavy = m.HEAVY;
    const threadsPerUser = new Int32Array(m.U);
    for (let k = 0; k < m.totalMembers; k += 1) if (m.mInInbox[k]) threadsPerUser[m.memberUser[k]] += 1;
    const sorted = [...threadsPerUser.keys()].filter((u) => u !== heavy).sort((a, b) => threadsPerUser[a] - threadsPerUser[b]);
    const median = sorted[Math.floor(sorted.length / 2)];
    let oneToOne = null;
    let bigGroup = null;
    for (let t = 0; t < m.T && oneToOne === null; t += 1) {
      const k0 = m.memberOffsets[t];
      if (!m.threadIsGroup[t] && (m.memberUser[k0] === heavy || m.memberUser[k0 + 1] === heavy)) {
        const other = m.memberUser[k0] === heavy ? m.memberUser[k0 + 1] : m.memberUser[k0];
        const ok = [k0, k0 + 1].every((k) => !m.mLeftAt[k]);
        if (ok) oneToOne = { thread: docId('t', t), author: userId(heavy), other: userId(other) };
      }
    }
    for (let t = m.T - 1; t >= 0 && bigGroup === null; t -= 1) {
      const k0 = m.memberOffsets[t];
      const n = m.memberOffsets[t + 1] - k0;
      if (n < m.bigGroupSize) continue;
      for (let k = k0; k < k0 + n; k += 1) {
        if (m.memberUser[k] === heavy && !m.mLeftAt[k]) bigGroup = { thread: docId('t', t), author: userId(heavy), members: n };
      }
    }
    const heavyTag = m.tags.findIndex((g) => g.user === heavy);
    const manifest = {
      db: o.db,
      target: sink.describe(),
      generatedAt: new Date().toISOString(),
      options: { users: o.users, threads: o.threads, messages: o.messages, groupShare: o.groupShare, seed: o.seed, baselines: o.baselines },
      counts: {
        users: m.U, threads: m.T, groups: m.groups, bigGroups: m.bigGroups, bigGroupSize: m.bigGroupSize, messages: m.M,
        memberships: m.totalMembers, tags: m.tags.length, tagLinks: m.tagLinks.length, blocks: m.blocks.length,
        pmIndexRows: withBaselines('drupal') ? drupalRows : 0,
      },
      password: PASSWORD,
      roleId: role.id,
      heavyUser: { id: userId(heavy), username: `gen_${heavy + 1}`, inboxThreads: threadsPerUser[heavy] },
      medianUser: { id: userId(median), username: `gen_${median + 1}`, inboxThreads: threadsPerUser[median] },
      heavyTag: heavyTag >= 0 ? { id: docId('g', heavyTag), dbId: heavyTag + 1 } : null,
      oneToOne,
      bigGroup,
      contexts: contextManifest(m, userId, listingDoc, threadsPerUser),
      timingsMs: timings,
    };
    const manifestFile = o.manifest ?? path.join(PLAYGROUND, '.tmp', `generated-${o.db === 'sqlite' ? path.basename(sqliteFile()) : `${o.db === 'mysql' ? 'mysql-' : ''}${pgConnection().database}`}.json`);
    fs.mkdirSync(path.dirname(manifestFile), { recursive: true });
    fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);

    log(
      `Loaded into ${sink.describe()} in ${seconds(timings.total)}: plugin data ${seconds(groupTime.plugin)}` +
        (groupTime.rest ? `, core-REST baseline ${seconds(groupTime.rest)}` : '') +
        (groupTime.drupal ? `, privatemsg baseline ${seconds(groupTime.drupal)} (${drupalRows} pm_index rows)` : '') +
        `, schema boot ${seconds(timings.boot ?? 0)}, model ${seconds(timings.model)}, finish ${seconds(timings.finish)}`
    );
    log(
      `Loads (table: load + indexes): ${Object.entries(timings.tables).map(([t, v]) => `${t} ${seconds(v.load)} + ${seconds(v.indexes ?? 0)}`).join(', ')}; ` +
        `CPU during the loads: generator ${timings.cpuSeconds.generator} s${timings.cpuSeconds.database != null ? `, database server ${timings.cpuSeconds.database} s` : ''}; ` +
        `machine load ${require('node:os').loadavg().map((x) => x.toFixed(2)).join(', ')}`
    );
    log(`Heavy user ${manifest.heavyUser.username} (id ${manifest.heavyUser.id}, ${manifest.heavyUser.inboxThreads} threads in the inbox); median user ${manifest.medianUser.username} (${manifest.medianUser.inboxThreads}); password ${PASSWORD}`);
    log(`Manifest: ${path.relative(process.cwd(), manifestFile)}`);
    result = { manifest, manifestFile };
  } finally {
    await sink.close();
  }
  // 6. The message search index, in bulk, once the data is in: the plugin's bootstrap creates the
  // table dropped above and indexes every message in batches (repositories/message-search).
  const ts = Date.now();
  await withStrapi(async () => {}, { compile: !o.boot });
  result.manifest.timingsMs.searchIndex = Date.now() - ts;
  fs.writeFileSync(result.manifestFile, `${JSON.stringify(result.manifest, null, 2)}\n`);
  log(`Search index built by booting Strapi (${seconds(Date.now() - ts)})`);
  return result;
}

module.exports = { generate, parseArgs, pgConnection, mysqlConnection, sqliteFile, openSink, preparePg, prepareMysql };

if (require.main === module) {
  generate(parseArgs(process.argv.slice(2))).then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    }
  );
}
