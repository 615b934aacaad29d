import { as, reply } from '../helpers/api';
import { expectError, expectValidationError } from '../helpers/assertions';
import { LISTING, changeSeller, createListing, deleteListing, editDraft, ensureLocale, translateListing, unpublishListing } from '../helpers/listings';
import { useStrapi } from '../helpers/setup';
import { statementsDuring } from '../helpers/statements';
import type { TestUser } from '../helpers/users';

/*
 * Threads about a document ("contact the seller"): the playground declares its `listing` type
 * (config/plugins `contexts`), whose `seller` answers. One thread per (listing, asker), reused
 * while both are in it; the listing's title is read when the thread is shown.
 */
const ctx = useStrapi();
const URL_OF = (id: string) => `http://localhost:1337/messages/?listing=${id}`;

let ann: TestUser, bob: TestUser, carol: TestUser, dave: TestUser;
beforeAll(async () => {
  [ann, bob, carol, dave] = await ctx.users(4);
});

const ask = (user: TestUser, documentId: string, extra: object = {}) =>
  as(ctx.strapi, user).post('/threads', { context: { uid: LISTING, documentId }, body: 'Is it still available?', ...extra });
const inbox = async (user: TestUser, query = '') => (await as(ctx.strapi, user).get(`/threads${query}`).expect(200)).body.data as any[];
const byContext = (user: TestUser, documentId: string) =>
  as(ctx.strapi, user).get(`/threads/by-context?uid=${encodeURIComponent(LISTING)}&documentId=${documentId}`);

describe('asking the owner of a document', () => {
  let bike: string;
  let first: string;

  beforeAll(async () => {
    bike = await createListing(ctx.strapi, { title: 'City bike', seller: bob.id });
  });

  it('starts a thread with the seller, showing the listing to both', async () => {
    const res = await ask(ann, bike).expect(201);
    expect(res.body.meta).toEqual({ created: true, refused: [] });
    const { thread, message } = res.body.data;
    first = thread.id;
    const context = { uid: LISTING, documentId: bike, title: 'City bike', url: URL_OF(bike), available: true };
    expect(thread.context).toEqual(context);
    expect(thread.participants.map((p: any) => p.id).sort()).toEqual([ann.id, bob.id].sort());
    expect(message.body).toContain('Is it still available?');
    const owned = (await inbox(bob)).find((t) => t.id === first);
    expect(owned.context).toEqual(context);
    expect(owned.unreadCount).toBe(1);
    expect((await as(ctx.strapi, bob).get(`/threads/${first}`).expect(200)).body.data.context).toEqual(context);
  });

  it('asking again adds to the same thread (200, created false); by-context finds it', async () => {
    const res = await ask(ann, bike, { body: 'And the price?' }).expect(200);
    expect(res.body.meta.created).toBe(false);
    expect(res.body.data.thread.id).toBe(first);
    expect(res.body.data.thread.messageCount).toBe(2);
    expect(res.body.data.message.threadId).toBe(first);
    expect((await byContext(ann, bike).expect(200)).body.data.id).toBe(first);
    expectError(await byContext(carol, bike), 404, 'NotFoundError');
  });

  it('asks sent at once by one asker (a double click) make one thread, the rest replies in it', async () => {
    const lamp = await createListing(ctx.strapi, { title: 'Desk lamp', seller: carol.id });
    const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => ask(dave, lamp, { body: `Lamp question ${i}` })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.data.thread.id)).size).toBe(1);
    const thread = (await byContext(dave, lamp).expect(200)).body.data;
    expect(thread.messageCount).toBe(4);
  });

  it('another asker gets their own thread; the owner filters each folder by listing', async () => {
    const carols = (await ask(carol, bike).expect(201)).body.data.thread.id;
    const other = await createListing(ctx.strapi, { title: 'Sofa', seller: bob.id });
    const sofa = (await ask(dave, other).expect(201)).body.data.thread.id;
    await reply(ctx.strapi, bob, sofa, 'Yes');
    const about = (q: string) => inbox(bob, q).then((list) => list.map((t) => t.id).sort());
    expect(await about(`?context=${LISTING}&contextId=${bike}`)).toEqual([first, carols].sort());
    expect(await about(`?context=${LISTING}`)).toEqual([first, carols, sofa].sort());
    await as(ctx.strapi, bob).post(`/threads/${carols}/archive`).expect(200);
    expect(await about(`?folder=archived&context=${LISTING}&contextId=${bike}`)).toEqual([carols]);
    expect(await about(`?folder=all&context=${LISTING}&contextId=${bike}`)).toEqual([first, carols].sort());
    expect(await about(`?folder=sent&context=${LISTING}`)).toEqual([sofa]);
    expect(await about('?context=api::thread.thread')).toEqual([]);
    expectValidationError(await as(ctx.strapi, bob).get(`/threads?contextId=${bike}`), ['contextId']);
  });

  it('removing the thread makes the next ask a new one; the owner keeps the old one', async () => {
    await as(ctx.strapi, ann).del(`/threads/${first}`).expect(204);
    expectError(await byContext(ann, bike), 404);
    const res = await ask(ann, bike).expect(201);
    expect(res.body.data.thread.id).not.toBe(first);
    expect((await byContext(ann, bike).expect(200)).body.data.id).toBe(res.body.data.thread.id);
    expect((await as(ctx.strapi, bob).get(`/threads/${first}`).expect(200)).body.data.messageCount).toBe(2);
  });

  it('a new seller answers new asks; old threads keep their members', async () => {
    const camera = await createListing(ctx.strapi, { title: 'Camera', seller: bob.id });
    const old = (await ask(ann, camera).expect(201)).body.data.thread.id;
    await changeSeller(ctx.strapi, camera, carol.id);
    const res = await ask(ann, camera).expect(201);
    expect(res.body.data.thread.id).not.toBe(old);
    expect(res.body.data.thread.participants.map((p: any) => p.id).sort()).toEqual([ann.id, carol.id].sort());
    const kept = (await as(ctx.strapi, bob).get(`/threads/${old}`).expect(200)).body.data;
    expect(kept.participants.map((p: any) => p.id).sort()).toEqual([ann.id, bob.id].sort());
    await reply(ctx.strapi, bob, old, 'Sold it to Carol, ask her');
    expectError(await as(ctx.strapi, carol).get(`/threads/${old}`), 404);
    const daves = (await ask(dave, camera).expect(201)).body.data.thread;
    expect(daves.participants.map((p: any) => p.id).sort()).toEqual([carol.id, dave.id].sort());
  });

  it.each([
    ['unpublished', unpublishListing],
    ['deleted', deleteListing],
  ])('a listing %s: not available, still readable and repliable, new asks 404', async (_name, change) => {
    const lamp = await createListing(ctx.strapi, { title: 'Lamp', seller: bob.id });
    const thread = (await ask(ann, lamp).expect(201)).body.data.thread.id;
    await change(ctx.strapi, lamp);
    const shown = (await as(ctx.strapi, ann).get(`/threads/${thread}`).expect(200)).body.data.context;
    expect(shown).toEqual({ uid: LISTING, documentId: lamp, title: null, url: URL_OF(lamp), available: false });
    expect((await inbox(bob)).find((t) => t.id === thread).context.available).toBe(false);
    await reply(ctx.strapi, bob, thread, 'Still have it');
    await reply(ctx.strapi, ann, thread, 'Great');
    expectError(await ask(ann, lamp), 404, 'NotFoundError');
    expectError(await ask(dave, lamp), 404, 'NotFoundError');
  });

  it('a localized listing: asked about in any locale it is published in, titled in the default locale', async () => {
    await ensureLocale(ctx.strapi, 'fr');
    const onlyFrench = await createListing(ctx.strapi, { title: 'Vélo', seller: carol.id, locale: 'fr' });
    const res = await ask(ann, onlyFrench).expect(201);
    expect(res.body.data.thread.context).toMatchObject({ title: 'Vélo', available: true });
    const both = await createListing(ctx.strapi, { title: 'Table', seller: bob.id });
    await translateListing(ctx.strapi, both, 'fr', { title: 'Table (fr)', seller: bob.id });
    const asked = (await ask(dave, both).expect(201)).body.data.thread;
    expect(asked.context.title).toBe('Table');
    expect(asked.participants.map((p: any) => p.id).sort()).toEqual([bob.id, dave.id].sort());
  });

  it('a localized listing answered by its default locale’s seller; another locale’s once that one is unpublished', async () => {
    await ensureLocale(ctx.strapi, 'fr');
    const desk = await createListing(ctx.strapi, { title: 'Desk', seller: bob.id });
    await translateListing(ctx.strapi, desk, 'fr', { title: 'Bureau', seller: carol.id });
    const asked = (await ask(dave, desk).expect(201)).body.data.thread;
    expect(asked.context).toMatchObject({ title: 'Desk', available: true });
    expect(asked.participants.map((p: any) => p.id).sort()).toEqual([bob.id, dave.id].sort());
    await unpublishListing(ctx.strapi, desk, await ctx.strapi.plugin('i18n').service('locales').getDefaultLocale());
    expect((await as(ctx.strapi, dave).get(`/threads/${asked.id}`).expect(200)).body.data.context).toMatchObject({ title: 'Bureau', available: true });
    const again = (await ask(ann, desk).expect(201)).body.data.thread;
    expect(again.participants.map((p: any) => p.id).sort()).toEqual([ann.id, carol.id].sort());
  });

  it('a listing edited as a draft shows, and is answered by, its published version', async () => {
    const radio = await createListing(ctx.strapi, { title: 'Radio', seller: bob.id });
    const thread = (await ask(ann, radio).expect(201)).body.data.thread.id;
    await editDraft(ctx.strapi, radio, { title: 'Radio (sold?)', seller: carol.id });
    expect((await as(ctx.strapi, ann).get(`/threads/${thread}`).expect(200)).body.data.context).toMatchObject({ title: 'Radio', available: true });
    const daves = (await ask(dave, radio).expect(201)).body.data.thread;
    expect(daves.participants.map((p: any) => p.id).sort()).toEqual([bob.id, dave.id].sort());
  });

  it('reads a page’s listings in one statement, an ask’s listing and owner in one, the default locale only for several locales', async () => {
    const table = ctx.strapi.db.metadata.get(LISTING as any).tableName;
    const recorded = async (fn: () => Promise<unknown>) => {
      const statements = await statementsDuring(ctx.strapi.db.connection, fn);
      return {
        listings: statements.filter((q) => q.sql.includes(table)).length,
        defaultLocale: statements.filter((q) => q.bindings.some((b) => typeof b === 'string' && b.includes('default_locale'))).length,
      };
    };
    const [seller, asker] = await ctx.users(2);
    await ensureLocale(ctx.strapi, 'fr');
    const vase = await createListing(ctx.strapi, { title: 'Vase', seller: seller.id });
    await ask(asker, await createListing(ctx.strapi, { title: 'Jug', seller: seller.id })).expect(201);
    expect(await recorded(() => ask(asker, vase).expect(201))).toEqual({ listings: 2, defaultLocale: 0 }); // the owner, then the thread shown
    expect(await recorded(() => inbox(seller))).toEqual({ listings: 1, defaultLocale: 0 });
    const rug = await createListing(ctx.strapi, { title: 'Rug', seller: seller.id });
    await translateListing(ctx.strapi, rug, 'fr', { title: 'Tapis', seller: seller.id });
    await ask(asker, rug).expect(201);
    expect(await recorded(() => inbox(seller))).toEqual({ listings: 1, defaultLocale: 1 });
  });
});

describe('refusals', () => {
  let chair: string;
  beforeAll(async () => {
    chair = await createListing(ctx.strapi, { title: 'Chair', seller: carol.id });
  });

  const nothingNew = async (user: TestUser, fn: () => Promise<void>) => {
    const before = (await inbox(user, '?folder=all')).length;
    await fn();
    expect(await inbox(user, '?folder=all')).toHaveLength(before);
  };

  it('a content type not declared: 400 at context.uid', async () => {
    expectValidationError(await as(ctx.strapi, ann).post('/threads', { context: { uid: 'api::thread.thread', documentId: chair }, body: 'Hi' }), ['context', 'uid']);
    expectValidationError(await as(ctx.strapi, ann).get(`/threads/by-context?uid=api::thread.thread&documentId=${chair}`), ['uid']);
  });

  it('recipients and context together, or neither: 400 at recipients', async () => {
    expectValidationError(await ask(ann, chair, { recipients: [{ type: 'user', id: carol.id }] }), ['recipients']);
    expectValidationError(await as(ctx.strapi, ann).post('/threads', { body: 'Hi' }), ['recipients']);
    expectValidationError(await ask(ann, chair, { unknown: true }), ['unknown']);
  });

  it('an unknown document or one never published: 404', async () => {
    expectError(await ask(ann, 'nosuchdocumentid0000000000'), 404, 'NotFoundError');
    const draft = await createListing(ctx.strapi, { title: 'Draft', seller: carol.id, draft: true });
    await nothingNew(carol, async () => expectError(await ask(ann, draft), 404, 'NotFoundError'));
  });

  it('one’s own document: 403 own_document; a document without an owner: 403 no_owner', async () => {
    const own = await ask(carol, chair);
    expectError(own, 403, 'ForbiddenError');
    expect(own.body.error.details.code).toBe('own_document');
    const orphan = await createListing(ctx.strapi, { title: 'Orphan', seller: null });
    const res = await ask(ann, orphan);
    expectError(res, 403, 'ForbiddenError');
    expect(res.body.error.details.code).toBe('no_owner');
  });

  it('an owner who blocked the asker, or turned messages off, refuses as any recipient', async () => {
    await as(ctx.strapi, carol).post('/blocks', { userId: dave.id }).expect(201);
    await nothingNew(carol, async () => {
      const res = await ask(dave, chair);
      expectError(res, 403, 'ForbiddenError');
      expect(res.body.error.details.refused).toEqual([expect.objectContaining({ recipient: { type: 'user', id: carol.id }, code: 'blocked' })]);
    });
    await as(ctx.strapi, carol).put('/preferences', { messagingEnabled: false }).expect(200);
    const off = await ask(ann, chair);
    expectError(off, 403);
    expect(off.body.error.details.refused.map((r: any) => r.code)).toContain('recipient_disabled');
    await as(ctx.strapi, carol).put('/preferences', { messagingEnabled: true }).expect(200);
  });

  it('a blocked asker cannot add to an existing thread about the document either', async () => {
    const stool = await createListing(ctx.strapi, { title: 'Stool', seller: carol.id });
    await ask(ann, stool).expect(201);
    await as(ctx.strapi, carol).post('/blocks', { userId: ann.id }).expect(201);
    const res = await ask(ann, stool);
    expectError(res, 403);
    expect(res.body.error.details.refused.map((r: any) => r.code)).toContain('blocked');
    await as(ctx.strapi, carol).del(`/blocks/${ann.id}`).expect(204);
    expect((await ask(ann, stool).expect(200)).body.meta.created).toBe(false);
  });
});
