import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import request from 'supertest';
import sharp from 'sharp';
import { as, reply, startThread } from '../helpers/api';
import { expectError, expectValidationError } from '../helpers/assertions';
import { useStrapi } from '../helpers/setup';
import { TMP } from '../helpers/paths';
import { createModerationAdmins } from '../helpers/admin';
import { captureEvents } from '../helpers/events';
import { createRole, grant, login, pluginActions, registerUser, setRole, type TestUser } from '../helpers/users';

/*
 * Private attachments against a real Strapi: staging, the refusals, who gets the bytes (the
 * message's visibility rule), what is kept of an image, and when files leave the folder.
 */

const FOLDER = path.join(TMP, `attachments-${process.pid}`);
const MAX_SIZE = 300_000;
const ctx = useStrapi({
  env: {
    PM_ATTACHMENTS: JSON.stringify({ enabled: true, maxSize: MAX_SIZE, maxPerMessage: 3, storage: { adapter: 'local', folder: FOLDER } }),
  },
});
afterAll(() => fs.rmSync(FOLDER, { recursive: true, force: true }));

const VIEW_DELETED = 'plugin::private-messages.deleted-message.view';
const service = () => ctx.strapi.plugin('private-messages').service('attachments');
const knex = () => ctx.strapi.db.connection;

type Upload = { body: Buffer; name: string; type?: string };
const upload = (user: TestUser, files: Upload[]) => {
  let req = request(ctx.strapi.server.httpServer).post('/api/private-messages/attachments').set('Authorization', `Bearer ${user.jwt}`);
  for (const f of files) req = req.attach('files', f.body, { filename: f.name, contentType: f.type ?? 'application/octet-stream' });
  return req;
};
const staged = async (user: TestUser, file: Upload) => (await upload(user, [file]).expect(201)).body.data[0];
const fetchBytes = (user: TestUser, url: string, headers: Record<string, string> = {}) => {
  const req = request(ctx.strapi.server.httpServer).get(url).set('Authorization', `Bearer ${user.jwt}`);
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  return req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
};

/** Every file in the attachments folder. */
const storedFiles = (): string[] => {
  if (!fs.existsSync(FOLDER)) return [];
  return fs.readdirSync(FOLDER, { recursive: true }).map(String).map((f) => path.join(FOLDER, f)).filter((f) => fs.statSync(f).isFile());
};
const rowsOf = async (userId: number) => knex()('pm_attachments').where('owner_id', userId);

const GPS = { IFD0: { Copyright: 'SecretCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2432/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 4050/100' } };
/** A 40×20 picture taken sideways (EXIF orientation 6) with GPS coordinates and a camera note. */
const jpegWithGps = () =>
  sharp({ create: { width: 40, height: 20, channels: 3, background: 'red' } }).jpeg().withMetadata({ orientation: 6 }).withExif(GPS).toBuffer();
const pngWithGps = () => sharp({ create: { width: 30, height: 30, channels: 4, background: 'blue' } }).png().withExif(GPS).toBuffer();
const text = (s = 'hello, plain text') => Buffer.from(s);

describe('POST /attachments', () => {
  let ann: TestUser;
  beforeAll(async () => {
    [ann] = await ctx.users(1);
  });

  it('stages an image re-encoded upright without metadata (EXIF and GPS gone), with a thumbnail', async () => {
    const original = await jpegWithGps();
    expect(original.includes('SecretCam')).toBe(true);
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const a = await staged(ann, { body: original, name: '../../holiday "photo".jpg', type: 'image/jpeg' });
    expect(a).toMatchObject({ name: 'holiday photo.jpg', mime: 'image/jpeg', width: 20, height: 40 });
    expect(a.url).toBe(`/api/private-messages/attachments/${a.id}/content`);
    expect(a.thumbnailUrl).toBe(`/api/private-messages/attachments/${a.id}/thumbnail`);

    const res = await fetchBytes(ann, a.url).expect(200);
    const meta = await sharp(res.body).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 20, height: 40 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(res.body.includes('SecretCam')).toBe(false);
    expect(res.body.includes('Exif')).toBe(false);
    // What is on disk is what is served: nothing of the original survives anywhere.
    for (const f of storedFiles()) expect(fs.readFileSync(f).includes('SecretCam')).toBe(false);

    const thumb = await fetchBytes(ann, a.thumbnailUrl).expect(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect((await sharp(thumb.body).metadata()).exif).toBeUndefined();
  });

  it('strips a PNG’s metadata too', async () => {
    const a = await staged(ann, { body: await pngWithGps(), name: 'map.png', type: 'image/png' });
    const res = await fetchBytes(ann, a.url).expect(200);
    expect((await sharp(res.body).metadata()).exif).toBeUndefined();
    expect(res.body.includes('SecretCam')).toBe(false);
  });

  it('refuses a file pretending to be an image, a type not allowed, a header contradicting the bytes, bytes that do not decode: 400 unsupported_type, nothing stored', async () => {
    const [eve] = await ctx.users(1);
    const png = await pngWithGps();
    const cases: Upload[] = [
      { body: text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), name: 'cat.png', type: 'image/png' },
      { body: zlib.gzipSync(text('archive')), name: 'a.gz', type: 'application/gzip' },
      { body: png, name: 'photo.jpg', type: 'image/jpeg' },
      { body: Buffer.concat([png.subarray(0, 16), Buffer.alloc(200, 7)]), name: 'broken.png', type: 'image/png' },
      { body: Buffer.from([0, 1, 2, 3, 0, 0, 255, 254]), name: 'blob.bin' },
    ];
    const before = storedFiles().length;
    for (const file of cases) {
      const res = await upload(eve, [file]);
      expectValidationError(res, ['files', '0']);
      expect(res.body.error.details.code).toBe('unsupported_type');
    }
    // One bad file refuses the whole upload: the good one before it is not kept either.
    const mixed = await upload(eve, [{ body: text(), name: 'ok.txt', type: 'text/plain' }, cases[0]]);
    expectValidationError(mixed, ['files', '1']);
    expect(mixed.body.error.details.code).toBe('unsupported_type');
    expect(await rowsOf(eve.id)).toHaveLength(0);
    expect(storedFiles()).toHaveLength(before);
  });

  it('refuses a file over maxSize (413), more files than maxPerMessage, no file, another field (400)', async () => {
    expectError(await upload(ann, [{ body: Buffer.alloc(MAX_SIZE + 1, 'a'), name: 'big.txt', type: 'text/plain' }]), 413);
    expectValidationError(await upload(ann, [1, 2, 3, 4].map((i) => ({ body: text(`n${i}`), name: `${i}.txt` }))), ['files']);
    const none = await request(ctx.strapi.server.httpServer)
      .post('/api/private-messages/attachments')
      .set('Authorization', `Bearer ${ann.jwt}`)
      .field('note', 'no file');
    expectValidationError(none);
    expectValidationError(await as(ctx.strapi, ann).post('/attachments', { files: [] }), ['files']);
    await request(ctx.strapi.server.httpServer).post('/api/private-messages/attachments').attach('files', text(), 'a.txt').expect(403);
  });
});

describe('a file’s place in the form', () => {
  /*
   * A slow disk: the parser finishes `slow.txt`'s temporary file last, so it lists the files in
   * another order than they were sent (formidable's own PersistentFile, the copy Strapi loaded).
   */
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const PersistentFile = require('formidable/src/PersistentFile');
  const end = PersistentFile.prototype.end;
  const finishedOrder: string[] = [];
  beforeAll(() => {
    PersistentFile.prototype.end = function slowEnd(this: { originalFilename: string }, cb: () => void) {
      const done = () => (finishedOrder.push(this.originalFilename), cb());
      if (this.originalFilename === 'slow.txt') setTimeout(() => end.call(this, done), 150);
      else end.call(this, done);
    };
  });
  afterAll(() => {
    PersistentFile.prototype.end = end;
  });

  it('names a refused file by its place in the form, and answers the staged files in that order', async () => {
    const [ann] = await ctx.users(1);
    finishedOrder.length = 0;
    const svg = text('<svg xmlns="http://www.w3.org/2000/svg"></svg>');
    const refused = await upload(ann, [
      { body: text('first, finished last'), name: 'slow.txt', type: 'text/plain' },
      { body: text('second'), name: 'two.txt', type: 'text/plain' },
      { body: svg, name: 'three.png', type: 'image/png' },
    ]);
    expect(finishedOrder.at(-1)).toBe('slow.txt');
    expectValidationError(refused, ['files', '2']);
    expect(refused.body.error.details.code).toBe('unsupported_type');
    expect(await rowsOf(ann.id)).toHaveLength(0);

    const ok = await upload(ann, [
      { body: text('first'), name: 'slow.txt', type: 'text/plain' },
      { body: text('second'), name: 'two.txt', type: 'text/plain' },
    ]).expect(201);
    expect(ok.body.data.map((a: any) => a.name)).toEqual(['slow.txt', 'two.txt']);
  });
});

describe('the staged cap: files uploaded and not sent, per user', () => {
  const cfg = () => service().config();
  const defaults = { files: 0, bytes: 0 };
  beforeAll(() => {
    defaults.files = cfg().maxStagedFiles;
    defaults.bytes = cfg().maxStagedBytes;
  });
  afterEach(() => {
    cfg().maxStagedFiles = defaults.files;
    cfg().maxStagedBytes = defaults.bytes;
  });
  const expectStagedLimit = (res: request.Response, staged: Record<string, number>) => {
    expectError(res, 409);
    expect(res.body.error.details).toEqual({ code: 'staged_limit', staged });
  };

  it('refuses an upload past maxStagedFiles or maxStagedBytes with a 409 staged_limit, nothing stored; sending makes room', async () => {
    const [ann, bob] = await ctx.users(2);
    cfg().maxStagedFiles = 4;
    const first = (await upload(ann, [1, 2, 3].map((i) => ({ body: text(`file ${i}`), name: `${i}.txt` }))).expect(201)).body.data;
    const before = storedFiles().length;
    const bytes = first.reduce((n: number, a: any) => n + a.size, 0);
    expectStagedLimit(await upload(ann, [4, 5].map((i) => ({ body: text(`file ${i}`), name: `${i}.txt` }))), { files: 3, bytes, maxFiles: 4, maxBytes: cfg().maxStagedBytes });
    expect(storedFiles()).toHaveLength(before);
    expect(await rowsOf(ann.id)).toHaveLength(3);
    await staged(ann, { body: text('file 4'), name: '4.txt' });
    expectStagedLimit(await upload(ann, [{ body: text('file 5'), name: '5.txt' }]), { files: 4, bytes: bytes + 6, maxFiles: 4, maxBytes: cfg().maxStagedBytes });
    // Another user has a cap of their own.
    await staged(bob, { body: text('bob'), name: 'b.txt' });
    // Sent files no longer count.
    await startThread(ctx.strapi, ann, [bob], { attachments: [first[0].id, first[1].id] });
    await upload(ann, [5, 6].map((i) => ({ body: text(`file ${i}`), name: `${i}.txt` }))).expect(201);

    cfg().maxStagedFiles = defaults.files;
    cfg().maxStagedBytes = 40;
    const [cat] = await ctx.users(1);
    await staged(cat, { body: Buffer.alloc(30, 'a'), name: 'a.txt' });
    expectStagedLimit(await upload(cat, [{ body: Buffer.alloc(11, 'b'), name: 'b.txt' }]), { files: 1, bytes: 30, maxFiles: defaults.files, maxBytes: 40 });
    await staged(cat, { body: Buffer.alloc(10, 'b'), name: 'b.txt' });
  });

  it('lets concurrent uploads pass the cap together never: they take turns on the user’s row', async () => {
    const [dan] = await ctx.users(1);
    cfg().maxStagedFiles = 4;
    const pair = (n: number) => [1, 2].map((i) => ({ body: text(`upload ${n} file ${i}`), name: `${n}-${i}.txt` }));
    const before = storedFiles().length;
    const results = await Promise.all([1, 2, 3].map((n) => upload(dan, pair(n))));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 409]);
    expect(results.find((r) => r.status === 409)!.body.error.details.code).toBe('staged_limit');
    expect(await rowsOf(dan.id)).toHaveLength(4);
    expect(storedFiles()).toHaveLength(before + 4);
  });
});

describe('sending attachments', () => {
  let ann: TestUser;
  let bob: TestUser;
  let eve: TestUser;
  beforeAll(async () => {
    [ann, bob, eve] = await ctx.users(3);
  });

  it('puts the sender’s staged files on the message, for every member to fetch, with safe headers', async () => {
    const photo = await staged(ann, { body: await jpegWithGps(), name: 'p.jpg', type: 'image/jpeg' });
    const note = await staged(ann, { body: text('<html><script>alert(1)</script></html>'), name: 'note.html', type: 'text/plain' });
    const { thread, message } = await startThread(ctx.strapi, ann, [bob], { attachments: [photo.id, note.id] });
    expect(message.attachments.map((a: any) => a.id)).toEqual([photo.id, note.id]);

    const view = (await as(ctx.strapi, bob).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(view.messages[0].attachments).toEqual([photo, note]);

    const img = await fetchBytes(bob, photo.url).expect(200);
    expect(img.headers).toMatchObject({ 'content-type': 'image/jpeg', 'x-content-type-options': 'nosniff', 'cache-control': 'private, no-store' });
    expect(img.headers['content-security-policy']).toContain('sandbox');
    expect(img.headers['content-disposition']).toMatch(/^inline; filename="p.jpg"/);
    const doc = await fetchBytes(bob, note.url).expect(200);
    expect(doc.headers['content-type']).toMatch(/^text\/plain/);
    expect(doc.headers['content-disposition']).toMatch(/^attachment; filename="note.html"/);
    expect(doc.body.toString()).toBe('<html><script>alert(1)</script></html>');

    // A reply takes them too.
    const more = await staged(bob, { body: text('reply file'), name: 'r.txt' });
    const answered = await reply(ctx.strapi, bob, thread.id, 'see attached');
    expect(answered.attachments).toEqual([]);
    const withFile = (await as(ctx.strapi, bob).post(`/threads/${thread.id}/messages`, { body: 'now', attachments: [more.id] }).expect(201)).body.data;
    expect(withFile.attachments).toEqual([more]);
  });

  it('serves byte ranges (206, 416)', async () => {
    const body = text('0123456789abcdefghij');
    const a = await staged(ann, { body, name: 'r.txt', type: 'text/plain' });
    await startThread(ctx.strapi, ann, [bob], { attachments: [a.id] });
    const part = await fetchBytes(bob, a.url, { Range: 'bytes=2-5' }).expect(206);
    expect(part.headers['content-range']).toBe(`bytes 2-5/${body.length}`);
    expect(part.body.toString()).toBe('2345');
    const tail = await fetchBytes(bob, a.url, { Range: 'bytes=-3' }).expect(206);
    expect(tail.body.toString()).toBe('hij');
    const whole = await fetchBytes(bob, a.url).expect(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    await fetchBytes(bob, a.url, { Range: 'bytes=100-' }).expect(416);
  });

  it('takes an id once: sent again, another user’s staged file, an unknown id or one listed twice are a 400 at attachments.<i>, and nothing is written', async () => {
    const mine = await staged(ann, { body: text('once'), name: 'once.txt' });
    await startThread(ctx.strapi, ann, [bob], { attachments: [mine.id] });
    const evesFile = await staged(eve, { body: text('eve'), name: 'eve.txt' });
    const fresh = await staged(ann, { body: text('fresh'), name: 'fresh.txt' });
    const threadsBefore = (await knex()('pm_threads').count({ n: '*' }).first())!.n;

    expectValidationError(await as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'again', attachments: [mine.id] }), ['attachments', '0']);
    expectValidationError(await as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'hers', attachments: [fresh.id, evesFile.id] }), ['attachments', '1']);
    expectValidationError(await as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'x', attachments: ['abcdefghijklmnopqrstuvwx'] }), ['attachments', '0']);
    expectValidationError(await as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'x', attachments: [fresh.id, fresh.id] }), ['attachments', '1']);
    expectValidationError(await as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'x', attachments: ['nope'] }), ['attachments', '0']);
    expect((await knex()('pm_threads').count({ n: '*' }).first())!.n).toBe(threadsBefore);
    // The refused sends claimed nothing: the fresh file is still Ann's to send, Eve's still Eve's.
    const sent = await startThread(ctx.strapi, ann, [bob], { attachments: [fresh.id] });
    expect(sent.message.attachments.map((a: any) => a.id)).toEqual([fresh.id]);
    expect((await rowsOf(eve.id)).every((r: any) => r.message_id === null)).toBe(true);
  });

  it('lets two sends racing for the same file have it once', async () => {
    const file = await staged(ann, { body: text('race'), name: 'race.txt' });
    const send = () => as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'race', attachments: [file.id] });
    const statuses = (await Promise.all([send(), send(), send()])).map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 400)).toBe(true);
  });
});

describe('who gets the bytes: whoever sees the message, a 404 for anyone else', () => {
  let ann: TestUser;
  let bob: TestUser;
  let cat: TestUser;
  let eve: TestUser;
  beforeAll(async () => {
    [ann, bob, cat, eve] = await ctx.users(4);
  });

  const sendFile = async (from: TestUser, to: TestUser[], body = 'file') => {
    const a = await staged(from, { body: text(body), name: 'f.txt' });
    const { thread, message } = await startThread(ctx.strapi, from, to, { attachments: [a.id] });
    return { a, thread, message };
  };

  it('a staged file is its owner’s alone; a sent one is not anyone’s who is not in the thread', async () => {
    const a = await staged(ann, { body: text('draft'), name: 'd.txt' });
    await fetchBytes(ann, a.url).expect(200);
    await fetchBytes(eve, a.url).expect(404);
    const { a: sent } = await sendFile(ann, [bob]);
    await fetchBytes(eve, sent.url).expect(404);
    await fetchBytes(eve, sent.url.replace('/content', '/thumbnail')).expect(404);
    await request(ctx.strapi.server.httpServer).get(sent.url).expect(403);
    await fetchBytes(bob, '/api/private-messages/attachments/abcdefghijklmnopqrstuvwx/content').expect(404);
    // A text file has no thumbnail.
    await fetchBytes(bob, sent.url.replace('/content', '/thumbnail')).expect(404);
  });

  it('follows removal, leaving, blocks and broadcasts’ audiences', async () => {
    // Removed: the thread's earlier messages are gone for the member who removed it.
    const removed = await sendFile(ann, [bob]);
    await fetchBytes(bob, removed.a.url).expect(200);
    await as(ctx.strapi, bob).del(`/threads/${removed.thread.id}`).expect(204);
    await fetchBytes(bob, removed.a.url).expect(404);
    await fetchBytes(ann, removed.a.url).expect(200);

    // Left a group.
    const group = await sendFile(ann, [bob, cat]);
    await as(ctx.strapi, cat).post(`/threads/${group.thread.id}/leave`, {}).expect(204);
    await fetchBytes(cat, group.a.url).expect(404);
    await fetchBytes(bob, group.a.url).expect(200);

    // Written while the reader had blocked its author.
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat], { subject: 'blocks' });
    await as(ctx.strapi, cat).post('/blocks', { userId: bob.id }).expect(201);
    const file = await staged(bob, { body: text('blocked'), name: 'b.txt' });
    await as(ctx.strapi, bob).post(`/threads/${thread.id}/messages`, { body: 'hi', attachments: [file.id] }).expect(201);
    await fetchBytes(cat, file.url).expect(404);
    await fetchBytes(ann, file.url).expect(200);

    // A broadcast: a recipient's reply is for the starter alone.
    const role = await createRole(ctx.strapi, `Attach readers ${Date.now()}`);
    await grant(ctx.strapi, role.id, pluginActions(ctx.strapi).filter((a) => a !== VIEW_DELETED));
    const [r1, r2] = await ctx.users(2);
    for (const u of [r1, r2]) await setRole(ctx.strapi, u.id, role.id);
    const { thread: broadcast } = await startThread(ctx.strapi, ann, [], { recipients: [{ type: 'role', id: role.id }] });
    const private1 = await staged(r1, { body: text('for the starter'), name: 'p.txt' });
    await as(ctx.strapi, r1).post(`/threads/${broadcast.id}/messages`, { body: 'to you', attachments: [private1.id] }).expect(201);
    await fetchBytes(ann, private1.url).expect(200);
    await fetchBytes(r2, private1.url).expect(404);
  });

  it('a deleted message’s files: hidden with it, served only to those who may view deleted messages', async () => {
    const moderators = await createRole(ctx.strapi, `Attach moderators ${Date.now()}`);
    await grant(ctx.strapi, moderators.id, [...pluginActions(ctx.strapi)]);
    const registered = await registerUser(ctx.strapi);
    await setRole(ctx.strapi, registered.id, moderators.id);
    const mod: TestUser = { ...registered, roleId: moderators.id, jwt: await login(ctx.strapi, registered.username) };

    const { a, thread, message } = await sendFile(ann, [bob, mod]);
    await as(ctx.strapi, ann).del(`/messages/${message.id}`).expect(204);
    await fetchBytes(bob, a.url).expect(404);
    await fetchBytes(ann, a.url).expect(404);
    const bobView = (await as(ctx.strapi, bob).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(bobView.messages[0]).toMatchObject({ deleted: true, attachments: [] });
    await fetchBytes(mod, a.url).expect(200);
    const modView = (await as(ctx.strapi, mod).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(modView.messages[0].attachments).toEqual([a]);
  });
});

describe('the moderation page', () => {
  it('shows a reported message’s files to moderators, served through the admin API and recorded (attachmentViewed); nobody else', async () => {
    const { moderator, settingsAdmin } = await createModerationAdmins(ctx.strapi);
    const [ann, bob] = await ctx.users(2);
    const file = await staged(ann, { body: text('evidence'), name: 'e.txt' });
    const other = await staged(ann, { body: text('other'), name: 'o.txt' });
    const { message } = await startThread(ctx.strapi, ann, [bob], { attachments: [file.id] });
    await startThread(ctx.strapi, ann, [bob], { attachments: [other.id] });
    const report = (await as(ctx.strapi, bob).post(`/messages/${message.id}/report`, { reason: 'spam' }).expect(201)).body.data;

    const admin = (token: string, url: string) =>
      request(ctx.strapi.server.httpServer).get(url).set('Authorization', `Bearer ${token}`).buffer(true).parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    const listed = (await request(ctx.strapi.server.httpServer).get('/private-messages/reports?pageSize=100').set('Authorization', `Bearer ${moderator.token}`).expect(200)).body;
    const entry = listed.data.find((r: any) => r.id === report.id);
    expect(entry.message.attachments).toEqual([{ id: file.id, name: 'e.txt', mime: 'text/plain', size: 8, url: `/private-messages/reports/${report.id}/attachments/${file.id}` }]);

    const { result, seen } = await captureEvents(ctx.strapi, 'private-messages.attachment.viewed', () => admin(moderator.token, entry.message.attachments[0].url).expect(200));
    expect(result.body.toString()).toBe('evidence');
    expect(result.headers['x-content-type-options']).toBe('nosniff');
    expect(seen).toEqual([expect.objectContaining({ adminId: moderator.id, reportId: report.id, attachmentId: file.id, messageId: message.id, authorId: ann.id })]);
    // Only the reported message's files, and only to admins holding the moderation action.
    await admin(moderator.token, `/private-messages/reports/${report.id}/attachments/${other.id}`).expect(404);
    await admin(settingsAdmin.token, entry.message.attachments[0].url).expect(403);
  });
});

describe('files leaving storage', () => {
  const DAY = 86_400_000;
  let ann: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    [ann, bob] = await ctx.users(2);
  });
  const keyFile = async (documentId: string) => {
    const row = await knex()('pm_attachments').where('document_id', documentId).first();
    return row ? path.join(FOLDER, row.storage_key) : null;
  };

  it('the cron deletes staged files nobody sent after stagedHours (24), not sent ones', async () => {
    const left = await staged(ann, { body: await jpegWithGps(), name: 'left.jpg' });
    const sent = await staged(ann, { body: text('sent'), name: 'sent.txt' });
    await startThread(ctx.strapi, ann, [bob], { attachments: [sent.id] });
    const leftFile = (await keyFile(left.id))!;
    const sentFile = (await keyFile(sent.id))!;
    expect(fs.existsSync(leftFile) && fs.existsSync(`${leftFile}.thumb`)).toBe(true);

    await ctx.strapi.plugin('private-messages').service('purge').run(new Date(Date.now() + 23 * 3_600_000));
    expect(fs.existsSync(leftFile)).toBe(true);
    await ctx.strapi.plugin('private-messages').service('purge').run(new Date(Date.now() + DAY + 60_000));
    expect(await keyFile(left.id)).toBeNull();
    expect(fs.existsSync(leftFile) || fs.existsSync(`${leftFile}.thumb`)).toBe(false);
    expect(fs.existsSync(sentFile)).toBe(true);
    await fetchBytes(ann, left.url).expect(404);
  });

  it('the purge of deleted messages deletes their files; erasure’s hooks delete a user’s staged files and a message’s', async () => {
    const a = await staged(ann, { body: text('purged'), name: 'p.txt' });
    const { message } = await startThread(ctx.strapi, ann, [bob], { attachments: [a.id] });
    const file = (await keyFile(a.id))!;
    await as(ctx.strapi, ann).del(`/messages/${message.id}`).expect(204);
    await ctx.strapi.plugin('private-messages').service('purge').run(new Date(Date.now() + 31 * DAY));
    expect(await keyFile(a.id)).toBeNull();
    expect(fs.existsSync(file)).toBe(false);

    const [zoe] = await ctx.users(1);
    const draft = await staged(zoe, { body: text('draft'), name: 'd.txt' });
    const kept = await staged(zoe, { body: text('kept'), name: 'k.txt' });
    const { message: hers } = await startThread(ctx.strapi, zoe, [bob], { attachments: [kept.id] });
    const draftFile = (await keyFile(draft.id))!;
    const keptFile = (await keyFile(kept.id))!;
    expect(await service().deleteStagedOf(zoe.id)).toBe(1);
    expect(fs.existsSync(draftFile)).toBe(false);
    expect(fs.existsSync(keptFile)).toBe(true);
    const internal = (await knex()('pm_messages').where('document_id', hers.id).first()).id;
    expect(await service().deleteForMessages([Number(internal)])).toBe(1);
    expect(fs.existsSync(keptFile)).toBe(false);
    const view = (await as(ctx.strapi, bob).get(`/threads/${hers.threadId}`).expect(200)).body.data;
    expect(view.messages[0].attachments).toEqual([]);
  });
});

describe('the scanner hook', () => {
  it('infected: 422, nothing stored; a failing scanner refuses (scanFailure closed) or lets it through (open)', async () => {
    const [ann] = await ctx.users(1);
    const seen: string[] = [];
    const off = service().registerScanner(async (file: { path: string; name: string; mime: string; size: number }) => {
      seen.push(`${file.name}:${file.mime}:${fs.readFileSync(file.path).toString()}`);
      if (file.name === 'eicar.txt') return 'infected';
      if (file.name === 'flaky.txt') throw new Error('scanner down');
      return 'clean';
    });
    try {
      const before = storedFiles().length;
      const infected = await upload(ann, [{ body: text('X5O!P%@AP'), name: 'eicar.txt' }]);
      expectError(infected, 422);
      expect(infected.body.error.details.code).toBe('infected');
      const flaky = await upload(ann, [{ body: text('?'), name: 'flaky.txt' }]);
      expectError(flaky, 503);
      expect(flaky.body.error.details.code).toBe('scan_failed');
      expect(await rowsOf(ann.id)).toHaveLength(0);
      expect(storedFiles()).toHaveLength(before);
      await staged(ann, { body: text('fine'), name: 'clean.txt' });
      expect(seen).toEqual(['eicar.txt:text/plain:X5O!P%@AP', 'flaky.txt:text/plain:?', 'clean.txt:text/plain:fine']);

      service().config().scanFailure = 'open';
      await staged(ann, { body: text('?'), name: 'flaky.txt' });
      expect(await rowsOf(ann.id)).toHaveLength(2);
    } finally {
      service().config().scanFailure = 'closed';
      off();
    }
  });
});
