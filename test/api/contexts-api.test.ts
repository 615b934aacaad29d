import { as } from '../helpers/api';
import { asAdmin, createSuperAdmin } from '../helpers/admin';
import { expectError, expectValidationError } from '../helpers/assertions';
import { captureEvents } from '../helpers/events';
import { LISTING, createListing } from '../helpers/listings';
import { useStrapi } from '../helpers/setup';
import { bootAgain } from '../helpers/strapi';
import type { TestUser } from '../helpers/users';
import { insertSuspension } from '../../server/src/repositories/suspensions';

/*
 * Threads about a document beyond HTTP asks: the declaration (checked at boot, listed with the
 * settings), the programmatic API, events and guards, suspension and the rate limit.
 */
const DECLARED = {
  [LISTING]: { ownerField: 'seller', titleField: 'title', urlTemplate: 'https://shop.example/listings/{documentId}' },
};
const env = (contexts: object) => ({ PM_CONTEXTS: JSON.stringify(contexts) });
const ctx = useStrapi({ env: env(DECLARED) });
const service = (name: string) => ctx.strapi.plugin('private-messages').service(name);

let ann: TestUser, bob: TestUser, cat: TestUser;
let desk: string;
beforeAll(async () => {
  [ann, bob, cat] = await ctx.users(3);
  desk = await createListing(ctx.strapi, { title: 'Desk', seller: bob.id });
});

describe('the programmatic API, events and guards', () => {
  it('ask() starts the thread, then adds to it; thread.created carries the context', async () => {
    const { result, seen } = await captureEvents(ctx.strapi, 'private-messages.thread.created', () =>
      service('contexts').ask({ author: ann.id, context: { uid: LISTING, documentId: desk }, body: 'Hello' })
    );
    expect(result.created).toBe(true);
    expect(result.thread.context).toEqual({
      uid: LISTING, documentId: desk, title: 'Desk', url: `https://shop.example/listings/${desk}`, available: true,
    });
    expect(seen).toEqual([expect.objectContaining({ threadId: result.thread.id, authorId: ann.id, context: { uid: LISTING, documentId: desk } })]);
    const again = await captureEvents(ctx.strapi, 'private-messages.thread.created', () =>
      service('contexts').ask({ author: ann.id, context: { uid: LISTING, documentId: desk }, body: 'Still there?', format: 'plain_text' })
    );
    expect(again.result).toMatchObject({ created: false, thread: { id: result.thread.id, messageCount: 2 } });
    expect(again.seen).toEqual([]);
    // Ordinary threads carry a null context.
    const plain = await captureEvents(ctx.strapi, 'private-messages.thread.created', () =>
      service('messaging').send({ author: ann.id, recipients: [cat.id], body: 'Hi' })
    );
    expect(plain.seen[0].context).toBeNull();
    expect(plain.result.thread.context).toBeNull();
  });

  it('ask() validates as over HTTP and applies the same refusals', async () => {
    await expect(service('contexts').ask({ author: ann.id, context: { uid: 'api::nope.nope', documentId: desk }, body: 'x' })).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(service('contexts').ask({ author: bob.id, context: { uid: LISTING, documentId: desk }, body: 'x' })).rejects.toMatchObject({
      details: { code: 'own_document' },
    });
    await expect(service('contexts').ask({ author: ann.id, context: { uid: LISTING, documentId: 'missingdocument000000000' }, body: 'x' })).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('guards see the document on new asks and on replies in its thread, and can refuse', async () => {
    const seen: any[] = [];
    const off = service('guards').register('buyers-only', async ({ author, recipients, context }: any) => {
      seen.push(context);
      return author.id === cat.id && context.uid === LISTING ? recipients.map((recipient: any) => ({ recipient, code: 'not_a_buyer', message: 'Buyers only' })) : [];
    });
    try {
      const refused = await as(ctx.strapi, cat).post('/threads', { context: { uid: LISTING, documentId: desk }, body: 'Hi' });
      expectError(refused, 403);
      expect(refused.body.error.details.refused).toEqual([{ recipient: { type: 'user', id: bob.id }, code: 'not_a_buyer', message: 'Buyers only' }]);
      expect(seen.pop()).toEqual({ uid: LISTING, documentId: desk });
      const threadId = (await as(ctx.strapi, ann).get(`/threads/by-context?uid=${LISTING}&documentId=${desk}`).expect(200)).body.data.id;
      await as(ctx.strapi, bob).post(`/threads/${threadId}/messages`, { body: 'Yes' }).expect(201);
      expect(seen.pop()).toEqual({ threadId, uid: LISTING, documentId: desk });
    } finally {
      off();
    }
  });

  it('a suspended asker and the rate limit refuse asks as any send', async () => {
    const admin = await createSuperAdmin(ctx.strapi);
    const chair = await createListing(ctx.strapi, { title: 'Chair', seller: bob.id });
    await insertSuspension(ctx.strapi.db.connection, { userId: cat.id, suspendedById: admin.id, reportId: null, note: null, now: new Date() });
    const suspended = await as(ctx.strapi, cat).post('/threads', { context: { uid: LISTING, documentId: chair }, body: 'Hi' });
    expectError(suspended, 403);
    expect(suspended.body.error.details.refused.map((r: any) => r.code)).toContain('sender_suspended');

    await service('settings').update({ rateLimit: { max: 1, windowSeconds: 3600 } });
    try {
      const [dan] = await ctx.users(1);
      await as(ctx.strapi, dan).post('/threads', { context: { uid: LISTING, documentId: chair }, body: 'One' }).expect(201);
      const limited = await as(ctx.strapi, dan).post('/threads', { context: { uid: LISTING, documentId: chair }, body: 'Two' });
      expectError(limited, 429);
      expect(limited.headers['retry-after']).toBeDefined();
    } finally {
      await service('settings').update({ rateLimit: { max: 0, windowSeconds: 60 } });
    }
  });
});

describe('the declaration', () => {
  it('is listed read-only with the admin settings', async () => {
    const admin = await createSuperAdmin(ctx.strapi);
    expect((await asAdmin(ctx.strapi, admin).get('/settings').expect(200)).body.data.contexts).toEqual(DECLARED);
    expectValidationError(await asAdmin(ctx.strapi, admin).put('/settings', { contexts: DECLARED }), ['contexts']);
  });

  it('a bad declaration stops Strapi at boot, naming it and the problem', async () => {
    const threadId = (await as(ctx.strapi, ann).get(`/threads/by-context?uid=${LISTING}&documentId=${desk}`).expect(200)).body.data.id;
    const stopped = ctx.strapi;
    await stopped.destroy();
    const bad = (contexts: object) => bootAgain(stopped, env(contexts));
    const listing = DECLARED[LISTING];
    await expect(bad({ 'api::nope.nope': listing })).rejects.toThrow(/contexts\.api::nope\.nope: no content type api::nope\.nope exists/);
    await expect(bad({ [LISTING]: { ...listing, ownerField: 'price' } })).rejects.toThrow(/contexts\.api::listing\.listing\.ownerField: price is not a relation/);
    await expect(bad({ [LISTING]: { ...listing, ownerField: 'owner' } })).rejects.toThrow(/contexts\.api::listing\.listing\.ownerField: api::listing\.listing has no attribute owner/);
    await expect(bad({ [LISTING]: { ...listing, titleField: 'headline' } })).rejects.toThrow(/contexts\.api::listing\.listing\.titleField/);
    await expect(bad({ [LISTING]: { ...listing, titleField: 'seller' } })).rejects.toThrow(/titleField: seller is a relation, not text/);
    await expect(bad({ [LISTING]: { ...listing, urlTemplate: 'javascript:alert(1)//{documentId}' } })).rejects.toThrow(/contexts\.api::listing\.listing\.urlTemplate: must be an absolute http\(s\) URL/);
    await expect(bad({ [LISTING]: { ...listing, urlTemplate: '/listings/{documentId}' } })).rejects.toThrow(/urlTemplate/);
    await expect(bad({ [LISTING]: { ...listing, extra: true } })).rejects.toThrow(/contexts\.api::listing\.listing/);
    // Declared no more: the thread stays readable, without a context; asking is a 400.
    ctx.strapi = await bootAgain(stopped, env({}));
    expect((await as(ctx.strapi, ann).get(`/threads/${threadId}`).expect(200)).body.data.context).toBeNull();
    expectValidationError(await as(ctx.strapi, ann).post('/threads', { context: { uid: LISTING, documentId: desk }, body: 'x' }), ['context', 'uid']);
  });
});
