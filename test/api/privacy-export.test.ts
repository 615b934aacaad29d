import request from 'supertest';
import { as, reply, startThread } from '../helpers/api';
import { asAdmin, createSuperAdmin, type TestAdmin } from '../helpers/admin';
import { expectError } from '../helpers/assertions';
import { useStrapi } from '../helpers/setup';
import { recordStatements } from '../helpers/statements';
import { createRole, grant, pluginActions, setRole, type TestUser } from '../helpers/users';
import { insertMany } from '../../server/src/repositories/dialect';
import { createDocumentIds } from '../../server/src/utils/ids';

/**
 * GET /export: everything the caller can see and everything about them, one JSON document,
 * streamed as the client reads it; the admin export of one user is the same document.
 */
const ctx = useStrapi();
let ann: TestUser, bob: TestUser, cat: TestUser;
let admin: TestAdmin;

/** The body as it arrives, counted and dropped (supertest would otherwise keep it all). */
const countBytes = (res: request.Response, done: (err: Error | null, body: unknown) => void) => {
  let n = 0;
  res.on('data', (chunk: Buffer) => (n += chunk.length));
  res.on('end', () => done(null, n));
};

beforeAll(async () => {
  await ctx.strapi.plugin('private-messages').service('settings').update({ rateLimit: { max: 0, windowSeconds: 60 } });
  [ann, bob, cat] = await ctx.users(3);
  admin = await createSuperAdmin(ctx.strapi);
});

describe('the document', () => {
  let group: string;
  beforeAll(async () => {
    group = (await startThread(ctx.strapi, ann, [bob, cat], { body: 'Hello all', subject: 'Plans' })).thread.id;
    await reply(ctx.strapi, bob, group, 'Hi ann');
    // ann blocks cat: what cat writes now is not ann's to see, nor to export.
    await as(ctx.strapi, ann).post('/blocks', { userId: cat.id }).expect(201);
    await reply(ctx.strapi, cat, group, 'Unseen by ann');
    const tag = (await as(ctx.strapi, ann).post('/tags', { name: 'Friends' }).expect(201)).body.data;
    await as(ctx.strapi, ann).put(`/threads/${group}/tags`, { tags: [tag.id] }).expect(200);
    await as(ctx.strapi, ann).put('/preferences', { emailNotifications: 'never' }).expect(200);
    const bobs = (await as(ctx.strapi, ann).get(`/threads/${group}/messages`).expect(200)).body.data.find((m: any) => m.body === 'Hi ann');
    await as(ctx.strapi, ann).post(`/messages/${bobs.id}/report`, { reason: 'Just testing' }).expect(201);
    await startThread(ctx.strapi, bob, [cat], { body: 'Not ann\u2019s business' });
  });

  it('holds the threads and messages the caller sees, their tags, blocks, preferences and reports', async () => {
    const res = await as(ctx.strapi, ann).get('/export').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="private-messages-\d+-\d{4}-\d\d-\d\d\.json"$/);
    const doc = JSON.parse(res.text);
    expect(doc).toMatchObject({
      format: 'strapi-plugin-private-messages/export@1',
      user: { id: ann.id },
      preferences: { messagingEnabled: null, emailNotifications: 'never', suspended: false },
      blocks: [{ userId: cat.id, active: true, since: expect.any(String) }],
      tags: [{ id: expect.any(String), name: 'Friends' }],
      reports: [{ reason: 'Just testing', status: 'open', messageId: expect.any(String) }],
      pushSubscriptions: [],
    });
    // Whom ann wrote to are her contacts (message requests).
    expect(doc.contacts.map((c: any) => c.userId).sort()).toEqual([bob.id, cat.id].sort());
    expect(doc.threads).toHaveLength(1);
    const [thread] = doc.threads;
    expect(thread).toMatchObject({ id: group, subject: 'Plans', folder: 'inbox', tags: ['Friends'] });
    expect(thread.members.map((m: any) => m.userId).sort()).toEqual([ann.id, bob.id, cat.id].sort());
    expect(thread.messages.map((m: any) => [m.author.id, m.body])).toEqual([
      [ann.id, 'Hello all'],
      [bob.id, 'Hi ann'],
    ]);
  });

  it('is the same document for an admin (privacy.manage)', async () => {
    const own = JSON.parse((await as(ctx.strapi, ann).get('/export').expect(200)).text);
    const byAdmin = JSON.parse((await asAdmin(ctx.strapi, admin).get(`/users/${ann.id}/export`).expect(200)).text);
    expect({ ...byAdmin, exportedAt: null }).toEqual({ ...own, exportedAt: null });
  });

  it('refuses a query, and a role without the export action', async () => {
    await expectError(await as(ctx.strapi, ann).get('/export?all=1'), 400);
    // A role holding every action but the export's.
    const role = await createRole(ctx.strapi, 'No export');
    await grant(ctx.strapi, role.id, pluginActions(ctx.strapi).filter((a) => !a.endsWith('export.download')));
    await setRole(ctx.strapi, cat.id, role.id);
    await expectError(await as(ctx.strapi, cat).get('/export'), 403);
    await expectError(await as(ctx.strapi, null).get('/export'), 403);
  });
});

describe('a heavy user', () => {
  // 20,000 threads make ~24 MB of JSON; streamed, the export reads a page of 200 threads at a time,
  // and only as fast as the client takes the text.
  const THREADS = 20000;
  let heavy: TestUser;
  beforeAll(async () => {
    [heavy] = await ctx.users(1);
    const [other] = await ctx.users(1);
    const db = ctx.strapi.db.connection;
    const now = new Date();
    const base = (documentId: string) => ({ document_id: documentId, created_at: now, updated_at: now, published_at: now });
    const threadDocs = createDocumentIds(THREADS);
    const threadIds = await insertMany(
      db,
      'pm_threads',
      threadDocs.map((d, i) => ({ ...base(d), subject: `Thread ${i} ${'x'.repeat(60)}`, is_group: false, member_count: 2, listed_member_count: 2, message_count: 2, last_message_id: 0, last_message_at: now, starter_id: heavy.id })),
      { returnIds: true }
    );
    const messageDocs = createDocumentIds(THREADS * 2);
    await insertMany(
      db,
      'pm_messages',
      messageDocs.map((d, i) => ({ ...base(d), thread_id: threadIds[i >> 1], author_id: i % 2 ? other.id : heavy.id, body: `Message ${i} ${'y'.repeat(300)}`, format: 'plain_text', excerpt: 'y' }))
    );
    const membershipDocs = createDocumentIds(THREADS * 2);
    await insertMany(
      db,
      'pm_memberships',
      membershipDocs.map((d, i) => ({
        ...base(d),
        thread_id: threadIds[i >> 1],
        user_id: i % 2 ? other.id : heavy.id,
        in_inbox: true,
        archived: false,
        has_sent: i % 2 === 0,
        hidden: false,
        last_activity_at: now,
        last_read_message_id: 0,
        unread_count: 0,
        message_count: 2,
        visible_after_message_id: 0,
      }))
    );
  }, 120_000);

  it(`reads ${THREADS} threads from the database only as fast as the client takes the text`, async () => {
    // Every query the export runs is counted; the client stops reading after its first chunk for
    // 1.5 s. A document built in memory would have run every query by then; a stream stops once
    // the socket's buffers are full, a small part of the document.
    const recording = recordStatements(ctx.strapi.db.connection);
    let queriesWhilePaused = 0;
    const pauseAfterFirstChunk = (res: request.Response, done: (err: Error | null, body: unknown) => void) => {
      let n = 0;
      res.on('data', (chunk: Buffer) => (n += chunk.length));
      const body = res as unknown as NodeJS.ReadableStream; // the response as it arrives
      body.once('data', () => {
        body.pause();
        setTimeout(() => {
          queriesWhilePaused = recording.statements.length;
          body.resume();
        }, 1500);
      });
      res.on('end', () => done(null, n));
    };
    try {
      const res = await as(ctx.strapi, heavy).get('/export').buffer(true).parse(pauseAfterFirstChunk).expect(200);
      const bytes = res.body as unknown as number;
      expect(bytes).toBeGreaterThan(THREADS * 640); // each thread's messages are ~320 bytes twice
      const queries = recording.statements.length;
      // eslint-disable-next-line no-console
      console.log(`export: ${THREADS} threads, ${(bytes / 1024 / 1024).toFixed(1)} MB, ${queriesWhilePaused} of ${queries} queries run while the client paused`);
      expect(queriesWhilePaused).toBeLessThan(queries / 3);
    } finally {
      recording.stop();
    }
  }, 120_000);

  it('is valid JSON with every thread and message', async () => {
    const doc = JSON.parse((await as(ctx.strapi, heavy).get('/export').expect(200)).text);
    expect(doc.threads).toHaveLength(THREADS);
    expect(doc.threads.every((t: any) => t.messages.length === 2)).toBe(true);
  }, 120_000);
});
