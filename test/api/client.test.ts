import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { useStrapi } from '../helpers/setup';
import { waitFor } from '../helpers/wait';
import { responses } from '../../server/src/contract/responses';
import { contentApiContract } from '../../server/src/contract/routes';
import type * as ClientModule from '../../client/src';
import type { StreamEvent } from '../../client/src';

/*
 * The built client (dist/client, what `strapi-plugin-private-messages/client` resolves to) against a
 * real Strapi listening on a port: every answer is checked against the contract's response schema,
 * and refusals arrive as PrivateMessagesError with Strapi's shape and the codes.
 */

const ROOT = path.resolve(__dirname, '../..');
const client: typeof ClientModule = require(path.join(ROOT, 'dist/client/index.js'));
const { createPrivateMessagesClient, PrivateMessagesError, collect } = client;

const ctx = useStrapi();
let baseUrl = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => ctx.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(ctx.strapi.server.httpServer.address() as AddressInfo).port}`;
});

// fetch keeps connections alive: close them so the server (and jest) can stop.
afterAll(() => ctx.strapi.server.httpServer.closeAllConnections());

const checked = <T>(name: keyof typeof responses, answer: T): T => {
  // Strict schemas: an undeclared key fails here, so the contract cannot fall behind the server.
  responses[name].parse(answer);
  return answer;
};

const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PrivateMessagesError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('the built client', () => {
  it('is CommonJS and ESM with no import of anything (fetch is all it needs)', () => {
    for (const file of ['dist/client/index.js', 'dist/client/index.mjs']) {
      const code = fs.readFileSync(path.join(ROOT, file), 'utf8');
      expect(code).not.toMatch(/require\(["'][^"']+["']\)|^import .* from ["']/m);
    }
    const esm = execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(path.join(ROOT, 'dist/client/index.mjs'))}); console.log(typeof m.createPrivateMessagesClient, typeof m.PrivateMessagesError)`,
    ]);
    expect(esm.toString().trim()).toBe('function function');
    expect(fs.existsSync(path.join(ROOT, 'dist/client/src/index.d.ts'))).toBe(true);
  });

  it('sends, lists, pages, reads and replies, every answer in the contract’s shape', async () => {
    const [ann, bob] = await ctx.users(2);
    const pmAnn = createPrivateMessagesClient({ baseUrl, token: ann.jwt });
    const pmBob = createPrivateMessagesClient({ baseUrl, getToken: async () => bob.jwt });

    const created = checked('threadCreated', await pmAnn.threads.create({ recipients: [{ type: 'user', id: bob.id }], subject: 'Order #1', body: 'Hello Bob' }));
    const threadId = created.data.thread.id;
    expect(created.meta.refused).toEqual([]);
    for (let i = 0; i < 3; i += 1) await pmAnn.threads.create({ recipients: [{ type: 'user', id: bob.id }], subject: `More ${i}`, body: `Hi ${i}` });

    expect(checked('unreadCount', await pmBob.unreadCount()).data).toEqual({ threads: 4, messages: 4, requests: 0 });
    const first = checked('threadList', await pmBob.threads.list({ limit: 2, unread: true }));
    expect(first.data).toHaveLength(2);
    expect(first.meta.nextCursor).toEqual(expect.any(String));
    const all = await collect(pmBob.threads.all({ limit: 3 }));
    expect(all.map((t) => t.subject)).toEqual(['More 2', 'More 1', 'More 0', 'Order #1']);
    expect((await collect(pmBob.threads.pages({ limit: 3 }))).map((p) => p.data.length)).toEqual([3, 1]);

    for (let i = 0; i < 4; i += 1) checked('message', await pmBob.threads.reply(threadId, { body: `reply ${i}` }));
    const thread = checked('threadWithMessages', await pmAnn.threads.get(threadId, { limit: 2 }));
    expect(thread.data.messages.map((m) => m.body)).toEqual(['reply 2', 'reply 3'].map((b) => expect.stringContaining(b)));
    let older: typeof thread.data.messages = [];
    // Each page is older than the one before, and oldest first itself.
    for await (const page of pmAnn.threads.olderPages(threadId, thread.meta.olderCursor, { limit: 2 })) older = [...checked('messagePage', page).data, ...older];
    expect(older.map((m) => m.body)).toEqual(['Hello Bob', 'reply 0', 'reply 1'].map((b) => expect.stringContaining(b)));

    expect(checked('threadUnread', await pmAnn.threads.markRead(threadId)).data).toEqual({ unreadCount: 0 });
    expect(checked('threadUnread', await pmAnn.threads.markUnread(threadId)).data).toEqual({ unreadCount: 1 });
    expect(checked('bulkResult', await pmBob.threads.bulk({ action: 'markRead', threadIds: all.map((t) => t.id) })).data).toEqual({ updated: 4 });

    const tag = checked('tag', await pmAnn.tags.create('support')).data;
    checked('tag', await pmAnn.tags.rename(tag.id, 'Support'));
    expect(checked('thread', await pmAnn.threads.setTags(threadId, [tag.id])).data.tags).toEqual([{ id: tag.id, name: 'Support' }]);
    expect((await pmAnn.threads.list({ tag: tag.id })).data.map((t) => t.id)).toEqual([threadId]);
    expect(checked('tagList', await pmAnn.tags.list()).data).toHaveLength(1);
    expect(await pmAnn.tags.remove(tag.id)).toBeUndefined();

    // Folders, and the site's custom fields typed through the client's type parameter (the playground's).
    expect(checked('thread', await pmAnn.threads.archive(threadId)).data.folder).toBe('archived');
    expect((await pmAnn.threads.list({ folder: 'archived' })).data.map((t) => t.id)).toEqual([threadId]);
    expect(checked('thread', await pmAnn.threads.unarchive(threadId)).data.folder).toBe('inbox');
    type Playground = { thread: { orderId: string }; message: { priority: 'low' | 'normal' | 'high' } };
    const typed = createPrivateMessagesClient<Playground>({ baseUrl, token: ann.jwt });
    const withFields = checked(
      'threadCreated',
      await typed.threads.create({ recipients: [{ type: 'user', id: bob.id }], body: 'Order', fields: { orderId: 'A-7' }, messageFields: { priority: 'high' } })
    );
    const orderId: string | undefined = withFields.data.thread.fields.orderId;
    expect(orderId).toBe('A-7');
    const priority: 'low' | 'normal' | 'high' | undefined = withFields.data.message.fields.priority;
    expect(priority).toBe('high');

    const someReply = older[1];
    checked('report', await pmAnn.messages.report(someReply.id, 'spam'));
    expect(await pmBob.messages.remove(someReply.id)).toBeUndefined();
    expect(await pmBob.threads.remove(threadId)).toBeUndefined();
  });

  it('answers recipients, can-message, blocks and preferences in the contract’s shape', async () => {
    const [ann, bob] = await ctx.users(2);
    const pm = createPrivateMessagesClient({ baseUrl, token: ann.jwt });
    const found = checked('recipients', await pm.recipients.search(bob.username.slice(0, 8)));
    expect(found.data).toContainEqual(expect.objectContaining({ type: 'user', id: bob.id }));
    expect(checked('canMessage', await pm.recipients.canMessage(bob.id)).data).toEqual({ allowed: true, asRequest: false, reasons: [] });
    checked('roles', await pm.recipients.roles());
    expect(checked('blockedUser', await pm.blocks.create(bob.id)).data.id).toBe(bob.id);
    expect(checked('blockList', await pm.blocks.list()).data.map((b) => b.id)).toEqual([bob.id]);
    expect(await pm.blocks.remove(bob.id)).toBeUndefined();
    checked('preferences', await pm.preferences.get());
    expect(checked('preferences', await pm.preferences.update({ emailNotifications: 'never' })).data.emailNotifications).toBe('never');
  });

  it('throws PrivateMessagesError with Strapi’s {status, name, message, details} and the refusal codes', async () => {
    const [ann, bob] = await ctx.users(2);
    const pmAnn = createPrivateMessagesClient({ baseUrl, token: ann.jwt });
    const pmBob = createPrivateMessagesClient({ baseUrl, token: bob.jwt });
    await pmBob.blocks.create(ann.id);

    const blocked = await refusal(pmAnn.threads.create({ recipients: [{ type: 'user', id: bob.id }, { type: 'user', id: ann.id }], body: 'hi' }));
    expect(blocked).toMatchObject({ status: 403, name: 'ForbiddenError', code: 'blocked', codes: ['blocked', 'self'] });
    expect(blocked.refused).toEqual([
      { recipient: { type: 'user', id: bob.id }, code: 'blocked', message: expect.any(String) },
      { recipient: { type: 'user', id: ann.id }, code: 'self', message: expect.any(String) },
    ]);
    expect((await pmAnn.recipients.canMessage(bob.id)).data).toEqual({ allowed: false, asRequest: false, reasons: [{ code: 'blocked', message: expect.any(String) }] });

    const invalid = await refusal(pmAnn.threads.create({ recipients: [], body: '' }));
    expect(invalid).toMatchObject({ status: 400, name: 'ValidationError' });
    expect(invalid.details.errors?.map((e) => e.path)).toEqual(expect.arrayContaining([['recipients'], ['body']]));
    // Untyped callers get the server's answer too: an unknown key is a 400 naming it.
    const unknownKey = await refusal(pmAnn.call('threads.list', { query: { sort: 'x' } as never }));
    expect(unknownKey.details.errors?.[0].path).toEqual(['sort']);

    expect(await refusal(pmAnn.threads.get('a'.repeat(24)))).toMatchObject({ status: 404, name: 'NotFoundError', message: 'Thread not found' });
    await pmAnn.tags.create('dup');
    expect(await refusal(pmAnn.tags.create('DUP'))).toMatchObject({ status: 409 });
    const anonymous = await refusal(createPrivateMessagesClient({ baseUrl }).unreadCount());
    expect(anonymous.status).toBe(403);
    expect(anonymous.name).toBe('ForbiddenError');
  });

  it('covers every route of the table with a method', () => {
    const pm = createPrivateMessagesClient({ baseUrl, token: 'x' });
    const methods = new Set(
      Object.entries(pm).flatMap(([group, value]) => (typeof value === 'function' ? [group] : Object.keys(value).map((m) => `${group}.${m}`)))
    );
    for (const r of contentApiContract) expect(methods).toContain(r.operation);
  });

  it('stream() receives the server’s events for a new message, and tickets', async () => {
    const [ann, bob] = await ctx.users(2);
    const events: StreamEvent[] = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const pmBob = createPrivateMessagesClient({ baseUrl, token: bob.jwt });
    const handle = pmBob.stream({ onEvent: (e) => events.push(e), onOpen: () => opened() });
    try {
      await open;
      const { data } = await createPrivateMessagesClient({ baseUrl, token: ann.jwt }).threads.create({ recipients: [{ type: 'user', id: bob.id }], body: 'live?' });
      await waitFor(() => events.some((e) => e.event === 'message.created') && events.some((e) => e.event === 'unread-count'));
      expect(events).toContainEqual({ event: 'message.created', id: expect.any(String), data: { threadId: data.thread.id, messageId: data.message.id } });
      expect(events).toContainEqual({ event: 'unread-count', id: expect.any(String), data: { threads: 1, messages: 1, requests: 0 } });
      expect(handle.lastEventId).toEqual(expect.any(String));
      checked('streamTicket', await pmBob.stream.ticket());
    } finally {
      handle.close();
      await handle.done;
    }
  });
});
