import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { as } from '../helpers/api';
import { PLAYGROUND, ROOT, TMP } from '../helpers/paths';
import { generateDrupal, type DrupalData } from '../helpers/drupal-generator';
import type { DrupalVariant } from '../helpers/drupal-schema';
import { createDrupalSource, createPgDrupalSource, type DrupalSource } from '../helpers/drupal-source';
import {
  apiFolderSubjects,
  apiInboxSubjects,
  drupalAllSubjects,
  drupalArchivedSubjects,
  drupalSentSubjects,
  apiThreadMids,
  countRows,
  drupalInboxSubjects,
  drupalThreadMids,
  drupalThreadsOf,
  drupalUnread,
  emptyPluginTables,
  registerDrupalUsers,
  threadDocumentId,
} from '../helpers/drupal-expect';
import { useStrapi } from '../helpers/setup';
import { createRole, type TestUser } from '../helpers/users';

/*
 * `import-drupal` against real privatemsg databases on MariaDB (one per variant, privatemsg's DDL,
 * generated data with the edge cases of docs/migrating-from-drupal.md), into this Strapi; what the
 * REST API then serves is compared with privatemsg's own SQL on the source.
 */
const ctx = useStrapi();
const importer = () => ctx.strapi.plugin('private-messages').service('drupal-import');
const settings = () => ctx.strapi.plugin('private-messages').service('settings');

type Scenario = { variant: DrupalVariant; data: DrupalData; source: DrupalSource; users: Map<number, TestUser> };
const scenarios = new Map<DrupalVariant, Scenario>();
let editorRoleId = 0;

const scenario = async (variant: DrupalVariant) => {
  const known = scenarios.get(variant);
  if (known) return known;
  const data = generateDrupal(variant, { seed: 7 });
  const source = await createDrupalSource(variant, data);
  // Users exist in Strapi before the import (the guide's first step); one scenario registers them.
  const first = [...scenarios.values()][0];
  const users = first ? first.users : await registerDrupalUsers(ctx.strapi, data);
  const s = { variant, data, source, users };
  scenarios.set(variant, s);
  return s;
};

beforeAll(async () => {
  editorRoleId = (await createRole(ctx.strapi, 'Editor')).id;
});
afterAll(async () => {
  for (const s of scenarios.values()) await s.source.drop();
});

/** Every matched user's unread count, inbox and message lists, as privatemsg shows them. */
const expectLikePrivatemsg = async (s: Scenario) => {
  const d6one = s.variant === 'd6-1';
  const inboxTag = d6one ? null : 1;
  const partial: string[] = [];
  for (const [uid, user] of s.users) {
    if (!s.data.users.some((u) => u.uid === uid)) continue; // the cancelled account
    expect({ uid, unread: (await as(ctx.strapi, user).get('/unread-count').expect(200)).body.data.threads }).toEqual({
      uid,
      unread: await drupalUnread(s.source, uid, d6one),
    });
    expect({ uid, inbox: await apiInboxSubjects(ctx.strapi, user) }).toEqual({
      uid,
      inbox: await drupalInboxSubjects(s.source, uid, d6one, inboxTag),
    });
    // privatemsg's other lists: the Inbox tag taken off is our archive, its Sent list our sent folder.
    expect({ uid, archived: await apiFolderSubjects(ctx.strapi, user, 'archived') }).toEqual({
      uid,
      archived: await drupalArchivedSubjects(s.source, uid, d6one, inboxTag),
    });
    expect({ uid, all: await apiFolderSubjects(ctx.strapi, user, 'all') }).toEqual({ uid, all: await drupalAllSubjects(s.source, uid, d6one) });
    // Threads whose message list cannot be kept (a single message deleted: partialDeletions).
    const lossy = new Set<string>();
    for (const threadId of await drupalThreadsOf(s.source, uid, d6one)) {
      const documentId = await threadDocumentId(ctx.strapi, threadId);
      const want = await drupalThreadMids(s.source, uid, threadId, d6one);
      const got = await apiThreadMids(ctx.strapi, user, documentId!);
      if (want.join() !== got.join()) {
        partial.push(`${uid}:${threadId}: drupal ${want} strapi ${got}`);
        lossy.add((await as(ctx.strapi, user).get(`/threads/${documentId}`).expect(200)).body.data.subject);
      }
    }
    // The Sent list follows the messages the member sees: equal, but for those threads.
    const kept = (subjects: string[]) => subjects.filter((x) => !lossy.has(x));
    expect({ uid, sent: kept(await apiFolderSubjects(ctx.strapi, user, 'sent')) }).toEqual({
      uid,
      sent: kept(await drupalSentSubjects(s.source, uid, d6one)),
    });
  }
  return partial;
};

describe('strapi-private-messages import-drupal (D7 2.x)', () => {
  it('--dry-run reads everything, writes nothing and says what it would import', async () => {
    const s = await scenario('d7-2');
    const report = await importer().run({ source: s.source.url, dryRun: true });
    expect(report.variant).toBe('d7-2');
    expect(report.imported.threads).toBeGreaterThan(20);
    expect(report.imported.messages).toBeGreaterThan(report.imported.threads);
    for (const table of ['pm_threads', 'pm_messages', 'pm_memberships', 'pm_tags', 'pm_blocks', 'pm_preferences', 'pm_import_map']) {
      expect({ table, rows: await countRows(ctx.strapi, table) }).toEqual({ table, rows: 0 });
    }
    expect(report.verification).toBeUndefined();
  });

  it('imports threads, read state, inbox, tags, blocks, preferences and settings as privatemsg shows them', async () => {
    const s = await scenario('d7-2');
    const report = await importer().run({ source: s.source.url });
    expect(importer().exitCodeOf(report)).toBe(2); // an unmatched user and reported losses
    expect(report.users.unmatched.map((u: { name: string }) => u.name)).toEqual(['ghost']);
    expect(report.roles).toEqual([{ rid: 4, name: 'Editor', threads: 2 }]);
    for (const key of ['partialDeletions', 'unreadNotContiguous', 'ownMessagesUnread', 'orphanIndexRows', 'orphanRecipientRows', 'deletedAuthorMessages', 'unknownFormats', 'tokenMessages', 'tagsMerged', 'blockRulesDropped', 'roleNotificationLevels']) {
      expect({ key, counted: Boolean(report.lossy[key]?.count) }).toEqual({ key, counted: true });
    }
    // The command's own check: unread counts all equal; one list differs (the message deleted alone).
    expect(report.verification.unreadDiffering).toEqual([]);
    expect(report.verification.messageListsDiffering).toBe(1);
    expect(await countRows(ctx.strapi, 'pm_outbox')).toBe(0);

    // The same through the REST API, against privatemsg's SQL.
    const differing = await expectLikePrivatemsg(s);
    expect(differing).toHaveLength(1);

    const [a, b, c, dd] = s.data.users.map((u) => s.users.get(u.uid)!);
    // Blocks: pm_block_user (author c, recipient b) is b blocking c.
    expect((await as(ctx.strapi, b).get('/blocks').expect(200)).body.data.map((x: { id: number }) => x.id)).toEqual([c.id]);
    // A reply privatemsg never delivered to b (no pm_index row: b had blocked c) stays undelivered,
    // also once b lifts the block here.
    const [heldBack] = (await as(ctx.strapi, b).get('/threads?q=Held').expect(200)).body.data;
    const authorsFor = async (u: TestUser) => ((await as(ctx.strapi, u).get(`/threads/${heldBack.id}`).expect(200)).body.data.messages as { author: { id: number } }[]).map((m) => m.author.id);
    expect(await authorsFor(a)).toEqual([a.id, c.id, a.id]);
    await as(ctx.strapi, b).del(`/blocks/${c.id}`).expect(204);
    expect(await authorsFor(b)).toEqual([a.id, a.id]);
    expect(heldBack.messageCount).toBe(2);
    await as(ctx.strapi, b).post('/blocks', { userId: c.id }).expect(201);
    // Tags: "Work" and "work" are one tag of c's; the Inbox tag is no tag.
    expect((await as(ctx.strapi, c).get('/tags').expect(200)).body.data.map((t: { name: string }) => t.name.toLowerCase())).toEqual(['work']);
    // Imported threads were accepted: history is contact (the starter for each member, whoever wrote for the others).
    const contact = async (user: TestUser, other: TestUser) =>
      Boolean(await ctx.strapi.db.connection('pm_contacts').where({ user_id: user.id, contact_id: other.id }).first('id'));
    expect([await contact(b, a), await contact(a, c), await contact(c, a)]).toEqual([true, true, true]);
    // Preferences: user levels, the role level for the others, disabled messaging.
    const prefs = async (u: TestUser) => (await as(ctx.strapi, u).get('/preferences').expect(200)).body.data;
    expect(await prefs(a)).toEqual({ messagingEnabled: true, emailNotifications: 'newThreads', allowMessagesFrom: 'everyone', emailDigest: 'off', push: 'never', pushContent: 'none' });
    expect(await prefs(b)).toEqual({ messagingEnabled: true, emailNotifications: 'never', allowMessagesFrom: 'everyone', emailDigest: 'off', push: 'never', pushContent: 'none' });
    expect(await prefs(c)).toEqual({ messagingEnabled: true, emailNotifications: 'firstUnread', allowMessagesFrom: 'everyone', emailDigest: 'off', push: 'never', pushContent: 'none' });
    expect(await prefs(dd)).toEqual({ messagingEnabled: false, emailNotifications: 'firstUnread', allowMessagesFrom: 'everyone', emailDigest: 'off', push: 'never', pushContent: 'none' });
    // Settings from `variable` and pm_setting's global level.
    expect(await settings().getFresh()).toMatchObject({
      purgeDeletedAfterDays: 45,
      maxRecipients: 20,
      unblockableRoles: [editorRoleId],
      emailNotificationsDefault: 'every',
    });
    // A role send is a broadcast: an editor sees the starter and themselves, and the role.
    const broadcast = ((await as(ctx.strapi, c).get('/threads?q=editors').expect(200)).body.data as any[])[0];
    expect(broadcast.participants.map((p: { id: number }) => p.id).sort()).toEqual([c.id, s.users.get(s.data.users[6].uid)!.id].sort());
  });

  it('a second run imports nothing; a message new in Drupal comes over on the next one', async () => {
    const s = await scenario('d7-2');
    const before = await countRows(ctx.strapi, 'pm_messages');
    const again = await importer().run({ source: s.source.url });
    expect(again.imported).toMatchObject({ threads: 0, threadsUpdated: 0, messages: 0, blocks: 0, preferences: 0, settings: [] });
    expect(await countRows(ctx.strapi, 'pm_messages')).toBe(before);

    const [a, b] = s.data.users;
    const [{ tid }] = await s.source.query(`select max(thread_id) as tid from pm_index where recipient = ? and type = 'user'`, [b.uid]);
    const [{ mid }] = await s.source.query(`select max(mid) + 1 as mid from pm_message`);
    await s.source.query(`insert into pm_message (mid, author, subject, body, format, timestamp) values (?, ?, 'Re', 'Late news [m${mid}]', 'plain_text', 1900000000)`, [mid, a.uid]);
    const members = await s.source.query(`select distinct recipient from pm_index where thread_id = ? and type = 'user'`, [tid]);
    for (const { recipient } of members) {
      await s.source.query(`insert into pm_index (mid, thread_id, recipient, is_new, deleted, type) values (?, ?, ?, ?, 0, 'user')`, [mid, tid, recipient, recipient === a.uid ? 0 : 1]);
    }
    const next = await importer().run({ source: s.source.url });
    expect(next.imported).toMatchObject({ threads: 0, threadsUpdated: 1, messages: 1 });
    expect(next.verification.unreadDiffering).toEqual([]);
    expect(await countRows(ctx.strapi, 'pm_messages')).toBe(before + 1);
  });

  it('a later run keeps what members did here, and brings the new messages as a delivery would', async () => {
    const s = await scenario('d7-2');
    const [a, b, c] = s.data.users;
    const [{ mid: first }] = await s.source.query(`select max(mid) + 1 as mid from pm_message`);
    const thread = first;
    const post = async (mid: number, timestamp: number) => {
      await s.source.query(`insert into pm_message (mid, author, subject, body, format, timestamp) values (?, ?, 'Kept here', ?, 'plain_text', ?)`, [mid, a.uid, `News [m${mid}]`, timestamp]);
      for (const uid of [a.uid, b.uid, c.uid]) {
        await s.source.query(`insert into pm_index (mid, thread_id, recipient, is_new, deleted, type) values (?, ?, ?, ?, 0, 'user')`, [mid, thread, uid, uid === a.uid ? 0 : 1]);
      }
    };
    await post(first, 1_900_000_100);
    // privatemsg_filter tags a new thread Inbox for its recipients.
    for (const uid of [b.uid, c.uid]) await s.source.query(`insert into pm_tags_index (tag_id, uid, thread_id) values (1, ?, ?)`, [uid, thread]);
    await importer().run({ source: s.source.url });
    const documentId = (await threadDocumentId(ctx.strapi, thread))!;
    const userB = s.users.get(b.uid)!;
    const userC = s.users.get(c.uid)!;
    // Here, after the first run: b reads the thread, c removes it. Drupal still has both unread.
    await as(ctx.strapi, userB).post(`/threads/${documentId}/read`).expect(200);
    await as(ctx.strapi, userC).del(`/threads/${documentId}`).expect(204);

    await post(first + 1, 1_900_000_200);
    const next = await importer().run({ source: s.source.url });
    expect(next.imported).toMatchObject({ threads: 0, threadsUpdated: 1, messages: 1 });
    const listed = async (user: TestUser) =>
      ((await as(ctx.strapi, user).get('/threads?limit=100').expect(200)).body.data as { id: string; unreadCount: number }[]).find((t) => t.id === documentId);
    // b read the first message here: only the new one is unread.
    expect((await listed(userB))?.unreadCount).toBe(1);
    expect(await apiThreadMids(ctx.strapi, userB, documentId)).toEqual([first, first + 1]);
    // c removed the thread here: it comes back with what came after, as a reply brings it back.
    expect((await listed(userC))?.unreadCount).toBe(1);
    expect(await apiThreadMids(ctx.strapi, userC, documentId)).toEqual([first + 1]);
  });

  it('resumes after an interruption, ending where an uninterrupted run ends', async () => {
    const s = await scenario('d7-2');
    await emptyPluginTables(ctx.strapi);
    let batches = 0;
    await expect(
      importer().run({ source: s.source.url, batchSize: 5 }, (p: { phase: string; done: number }) => {
        if (p.phase === 'threads' && p.done > 0 && ++batches === 2) throw new Error('interrupted');
      })
    ).rejects.toThrow('interrupted');
    const partway = await countRows(ctx.strapi, 'pm_threads');
    expect(partway).toBe(10);
    const resumed = await importer().run({ source: s.source.url, batchSize: 5 });
    expect(resumed.skippedAlreadyImported.threads).toBe(10);
    expect(resumed.verification.unreadDiffering).toEqual([]);
    expect(resumed.verification.messageListsDiffering).toBe(1);
    expect(await expectLikePrivatemsg(s)).toHaveLength(1);
  });
});

describe.each(['d7-1', 'd6-2', 'd6-1'] as DrupalVariant[])('import-drupal (%s)', (variant) => {
  it('imports with exact unread counts, inboxes and message lists', async () => {
    await emptyPluginTables(ctx.strapi);
    const s = await scenario(variant);
    const report = await importer().run({ source: s.source.url });
    expect(report.variant).toBe(variant);
    expect(report.verification.unreadDiffering).toEqual([]);
    expect(report.verification.messageListsDiffering).toBe(1);
    expect(await expectLikePrivatemsg(s)).toHaveLength(1);
    const [a, b, , dd] = s.data.users.map((u) => s.users.get(u.uid)!);
    const prefs = async (u: TestUser) => (await as(ctx.strapi, u).get('/preferences').expect(200)).body.data;
    if (variant !== 'd6-2') expect((await prefs(a)).emailNotifications).toBe('every');
    if (variant !== 'd6-2') expect((await prefs(b)).emailNotifications).toBe('never');
    if (variant !== 'd6-1') expect((await prefs(dd)).messagingEnabled).toBe(false);
  });
});

describe('import-drupal from a PostgreSQL source (D7 2.x)', () => {
  let source: DrupalSource | undefined;
  afterAll(async () => source?.drop());

  it('reads the same privatemsg schema on PostgreSQL', async () => {
    await emptyPluginTables(ctx.strapi);
    const mysqlScenario = await scenario('d7-2');
    const data = generateDrupal('d7-2', { seed: 7 });
    source = await createPgDrupalSource(data);
    const s = { variant: 'd7-2' as DrupalVariant, data, source, users: mysqlScenario.users };
    const report = await importer().run({ source: source.url });
    expect(report.source).toMatch(/^postgres:/);
    expect(report.variant).toBe('d7-2');
    expect(report.verification.unreadDiffering).toEqual([]);
    expect(report.verification.messageListsDiffering).toBe(1);
    expect(await expectLikePrivatemsg(s)).toHaveLength(1);
  });
});

describe('the command (bin/strapi-private-messages.js)', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'strapi-private-messages.js'), ...args], {
        cwd: PLAYGROUND,
        env: { ...process.env, LOG_LEVEL: 'error', PLAYGROUND_SEED: 'false', CRON_ENABLED: 'false' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });

  it('answers --help, refuses bad options with exit code 1', async () => {
    expect((await run(['--help'])).code).toBe(0);
    const bad = await run(['import-drupal', '--source', 'mysql://x/y', '--variant', 'd8']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Unknown --variant d8');
    expect((await run(['import-drupal'])).stderr).toContain('--source is required');
    const badDate = await run(['import-drupal', '--source', 'mysql://x/y', '--users', 'username', '--created-before', 'soon']);
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toContain('--created-before "soon" is not a date');
  });

  it('loads the app in the current directory, dry-runs, prints the summary and writes the report (exit 2: losses)', async () => {
    const s = await scenario('d7-2');
    const reportFile = path.join(TMP, `drupal-report-${process.pid}.json`);
    const result = await run(['import-drupal', '--source', s.source.url, '--dry-run', '--report', reportFile]);
    expect(result.stderr).not.toContain('Import failed');
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Dry run (nothing written)');
    expect(result.stdout).toContain('partialDeletions');
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    expect(report).toMatchObject({ dryRun: true, variant: 'd7-2' });
    fs.rmSync(reportFile, { force: true });
  }, 180_000);
});
