import request from 'supertest';
import { as, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import type { TestUser } from '../helpers/users';
import { expectValidationError } from '../helpers/assertions';

const ctx = useStrapi();

const expectNotFound = (res: request.Response, message = 'Tag not found') => {
  expect(res.status).toBe(404);
  expect(res.body).toMatchObject({ data: null, error: { status: 404, name: 'NotFoundError', message } });
};

const createTag = async (user: TestUser, name: string) =>
  (await as(ctx.strapi, user).post('/tags', { name }).expect(201)).body.data as { id: string; name: string };

const tagsOf = async (user: TestUser) => (await as(ctx.strapi, user).get('/tags').expect(200)).body.data;

const threadTags = async (user: TestUser, threadId: string) =>
  (await as(ctx.strapi, user).get(`/threads/${threadId}`).expect(200)).body.data.tags;

describe('GET and POST /tags', () => {
  it('creates tags and lists only the caller’s, alphabetically ignoring case', async () => {
    const [ann, bob] = await ctx.users(2);
    expect(await tagsOf(ann)).toEqual([]);

    const res = await as(ctx.strapi, ann).post('/tags', { name: 'support' }).expect(201);
    expect(res.body).toEqual({ data: { id: expect.stringMatching(/^[a-z][a-z0-9]{23}$/), name: 'support' } });
    const billing = await createTag(ann, 'Billing');
    const zeta = await createTag(ann, 'zeta');
    await createTag(bob, 'bob only');

    expect(await tagsOf(ann)).toEqual([billing, res.body.data, zeta]);
    expect((await tagsOf(bob)).map((t: any) => t.name)).toEqual(['bob only']);
  });

  it('trims names and accepts 1 to 64 characters, any script', async () => {
    const [ann] = await ctx.users(1);
    expect(await createTag(ann, '  padded  ')).toMatchObject({ name: 'padded' });
    expect(await createTag(ann, 'x')).toMatchObject({ name: 'x' });
    expect(await createTag(ann, 'n'.repeat(64))).toMatchObject({ name: 'n'.repeat(64) });
    expect(await createTag(ann, 'Überweisung ✓ 支払い')).toMatchObject({ name: 'Überweisung ✓ 支払い' });
  });

  it.each([
    ['an empty name', { name: '' }, ['name']],
    ['a blank name', { name: '   ' }, ['name']],
    ['a name over 64 characters', { name: 'n'.repeat(65) }, ['name']],
    ['a name with a line break', { name: 'two\nlines' }, ['name']],
    ['a name that is not a string', { name: 42 }, ['name']],
    ['no name', {}, ['name']],
    ['an unknown key', { name: 'ok', colour: 'red' }, ['colour']],
  ])('is a 400 for %s, creating nothing', async (_label, body, path) => {
    const [ann] = await ctx.users(1);
    expectValidationError(await as(ctx.strapi, ann).post('/tags', body), path);
    expect(await tagsOf(ann)).toEqual([]);
  });

  it('is a 400 for unknown query keys', async () => {
    const [ann] = await ctx.users(1);
    expectValidationError(await as(ctx.strapi, ann).get('/tags?sort=name'), ['sort']);
    expectValidationError(await as(ctx.strapi, ann).post('/tags?x=1', { name: 'a' }), ['x']);
  });

  it('is a 409 for a name the caller already has, ignoring case, but another user may use it', async () => {
    const [ann, bob] = await ctx.users(2);
    const support = await createTag(ann, 'Support');
    for (const name of ['Support', 'support', ' SUPPORT ']) {
      const res = await as(ctx.strapi, ann).post('/tags', { name }).expect(409);
      expect(res.body).toMatchObject({ data: null, error: { status: 409, details: { tag: support } } });
    }
    expect(await tagsOf(ann)).toEqual([support]);
    await createTag(bob, 'support');
  });

  it('ignores case only: names that differ by accents or by emoji are different tags, on every database', async () => {
    // MySQL/MariaDB's default collations hold 'e' = 'é', 'ß' = 'ss' and (utf8mb4_unicode_ci) any emoji equal to any other.
    const [ann] = await ctx.users(1);
    const names = ['résumé', 'resume', 'straße', 'strasse', '😀 fun', '😎 fun', '🎉'];
    const tags: { id: string; name: string }[] = [];
    for (const name of names) tags.push(await createTag(ann, name));
    expect(tags.map((t) => t.name)).toEqual(names);
    expect((await tagsOf(ann)).map((t: any) => t.name).sort()).toEqual([...names].sort());
    // Case still counts for nothing, and a 409 names the tag it clashes with, not a look-alike.
    const clash = await as(ctx.strapi, ann).post('/tags', { name: 'RÉSUMÉ' }).expect(409);
    expect(clash.body.error.details).toEqual({ tag: tags[0] });
    const renamed = await as(ctx.strapi, ann).put(`/tags/${tags[5].id}`, { name: '😀 FUN' }).expect(409);
    expect(renamed.body.error.details).toEqual({ tag: tags[4] });
    await as(ctx.strapi, ann).put(`/tags/${tags[6].id}`, { name: '🎊' }).expect(200);
    expect((await tagsOf(ann)).find((t: any) => t.id === tags[6].id)).toEqual({ id: tags[6].id, name: '🎊' });
  });

  it('keeps names unique when the same name is created concurrently', async () => {
    const [ann] = await ctx.users(1);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => as(ctx.strapi, ann).post('/tags', { name: i % 2 ? 'Race' : 'race' }))
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await tagsOf(ann)).toHaveLength(1);
  });

  it('needs a logged-in user', async () => {
    const res = await as(ctx.strapi, null).get('/tags');
    expect([401, 403]).toContain(res.status);
  });
});

describe('PUT and DELETE /tags/:id', () => {
  it('renames a tag, including to a different case of its own name', async () => {
    const [ann] = await ctx.users(1);
    const tag = await createTag(ann, 'suport');
    const res = await as(ctx.strapi, ann).put(`/tags/${tag.id}`, { name: 'support' }).expect(200);
    expect(res.body).toEqual({ data: { id: tag.id, name: 'support' } });
    await as(ctx.strapi, ann).put(`/tags/${tag.id}`, { name: 'Support' }).expect(200);
    expect(await tagsOf(ann)).toEqual([{ id: tag.id, name: 'Support' }]);
  });

  it('is a 409 when renaming to the name of another of the caller’s tags, changing nothing', async () => {
    const [ann] = await ctx.users(1);
    const a = await createTag(ann, 'alpha');
    const b = await createTag(ann, 'beta');
    const res = await as(ctx.strapi, ann).put(`/tags/${b.id}`, { name: 'ALPHA' }).expect(409);
    expect(res.body.error.details).toEqual({ tag: a });
    expect(await tagsOf(ann)).toEqual([a, b]);
  });

  it('is a 404 for someone else’s tag or an unknown one, which stay as they are', async () => {
    const [ann, bob] = await ctx.users(2);
    const bobs = await createTag(bob, 'private');
    expectNotFound(await as(ctx.strapi, ann).put(`/tags/${bobs.id}`, { name: 'mine now' }));
    expectNotFound(await as(ctx.strapi, ann).del(`/tags/${bobs.id}`));
    expectNotFound(await as(ctx.strapi, ann).put(`/tags/${'a'.repeat(24)}`, { name: 'x' }));
    expectNotFound(await as(ctx.strapi, ann).del(`/tags/${'a'.repeat(24)}`));
    expect(await tagsOf(bob)).toEqual([bobs]);
  });

  it('is a 400 for a malformed id or name', async () => {
    const [ann] = await ctx.users(1);
    const tag = await createTag(ann, 'ok');
    expectValidationError(await as(ctx.strapi, ann).put('/tags/not-an-id', { name: 'x' }), ['id']);
    expectValidationError(await as(ctx.strapi, ann).del('/tags/not-an-id'), ['id']);
    expectValidationError(await as(ctx.strapi, ann).put(`/tags/${tag.id}`, { name: '' }), ['name']);
    expectValidationError(await as(ctx.strapi, ann).put(`/tags/${tag.id}`, { name: 'x', extra: 1 }), ['extra']);
    expect(await tagsOf(ann)).toEqual([tag]);
  });

  it('deletes a tag and takes it off every thread it was on', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const t1 = (await startThread(ctx.strapi, bob, [ann])).thread;
    const t2 = (await startThread(ctx.strapi, cat, [ann])).thread;
    const doomed = await createTag(ann, 'doomed');
    const kept = await createTag(ann, 'kept');
    await as(ctx.strapi, ann).put(`/threads/${t1.id}/tags`, { tags: [doomed.id, kept.id] }).expect(200);
    await as(ctx.strapi, ann).put(`/threads/${t2.id}/tags`, { tags: [doomed.id] }).expect(200);

    await as(ctx.strapi, ann).del(`/tags/${doomed.id}`).expect(204);
    expect(await tagsOf(ann)).toEqual([kept]);
    expect(await threadTags(ann, t1.id)).toEqual([kept]);
    expect(await threadTags(ann, t2.id)).toEqual([]);
    expectNotFound(await as(ctx.strapi, ann).del(`/tags/${doomed.id}`));
    // Its name is free again.
    await createTag(ann, 'Doomed');
  });
});

describe('PUT /threads/:id/tags', () => {
  let ann: TestUser, bob: TestUser, cat: TestUser;
  let threadId: string;
  let work: { id: string; name: string }, home: { id: string; name: string };
  beforeAll(async () => {
    [ann, bob, cat] = await ctx.users(3);
    threadId = (await startThread(ctx.strapi, ann, [bob])).thread.id;
    work = await createTag(ann, 'work');
    home = await createTag(ann, 'Home');
  });

  it('sets, replaces and clears the caller’s tags, answering the thread', async () => {
    const res = await as(ctx.strapi, ann).put(`/threads/${threadId}/tags`, { tags: [work.id, home.id, work.id] }).expect(200);
    expect(res.body.data).toMatchObject({ id: threadId, tags: [home, work] });
    expect(await threadTags(ann, threadId)).toEqual([home, work]);
    const [inInbox] = (await as(ctx.strapi, ann).get('/threads').expect(200)).body.data;
    expect(inInbox.tags).toEqual([home, work]);

    await as(ctx.strapi, ann).put(`/threads/${threadId}/tags`, { tags: [home.id] }).expect(200);
    expect(await threadTags(ann, threadId)).toEqual([home]);
    await as(ctx.strapi, ann).put(`/threads/${threadId}/tags`, { tags: [] }).expect(200);
    expect(await threadTags(ann, threadId)).toEqual([]);
  });

  it('tags the thread for the caller only', async () => {
    await as(ctx.strapi, ann).put(`/threads/${threadId}/tags`, { tags: [work.id] }).expect(200);
    expect(await threadTags(bob, threadId)).toEqual([]);
    const bobs = await createTag(bob, 'from bob');
    await as(ctx.strapi, bob).put(`/threads/${threadId}/tags`, { tags: [bobs.id] }).expect(200);
    expect(await threadTags(ann, threadId)).toEqual([work]);
    expect(await threadTags(bob, threadId)).toEqual([bobs]);
  });

  it('is a 404 for someone else’s tag, changing nothing', async () => {
    await as(ctx.strapi, ann).put(`/threads/${threadId}/tags`, { tags: [work.id] }).expect(200);
    const bobs = await createTag(bob, 'bob private');
    const res = await as(ctx.strapi, ann).put(`/threads/${threadId}/tags`, { tags: [home.id, bobs.id] });
    expectNotFound(res);
    expect(res.body.error.details).toEqual({ tagIds: [bobs.id] });
    expect(await threadTags(ann, threadId)).toEqual([work]);
  });

  it('is a 404 for a thread the caller is not a member of, or has left', async () => {
    expectNotFound(await as(ctx.strapi, cat).put(`/threads/${threadId}/tags`, { tags: [] }), 'Thread not found');
    const catTag = await createTag(cat, 'nosy');
    expectNotFound(await as(ctx.strapi, cat).put(`/threads/${threadId}/tags`, { tags: [catTag.id] }), 'Thread not found');
    expectNotFound(await as(ctx.strapi, ann).put(`/threads/${'b'.repeat(24)}/tags`, { tags: [] }), 'Thread not found');

    const group = (await startThread(ctx.strapi, ann, [bob, cat])).thread;
    await as(ctx.strapi, cat).put(`/threads/${group.id}/tags`, { tags: [catTag.id] }).expect(200);
    await as(ctx.strapi, cat).post(`/threads/${group.id}/leave`).expect(204);
    expectNotFound(await as(ctx.strapi, cat).put(`/threads/${group.id}/tags`, { tags: [] }), 'Thread not found');
  });

  it.each([
    ['no tags key', {}, ['tags']],
    ['tags that are not a list', { tags: 'work' }, ['tags']],
    ['a malformed tag id', { tags: ['nope'] }, ['tags', '0']],
    ['more than 100 tags', { tags: Array.from({ length: 101 }, () => 'a'.repeat(24)) }, ['tags']],
    ['an unknown key', { tags: [], mode: 'add' }, ['mode']],
  ])('is a 400 for %s', async (_label, body, path) => {
    expectValidationError(await as(ctx.strapi, ann).put(`/threads/${threadId}/tags`, body), path);
  });

  it('is a 400 for a malformed thread id', async () => {
    expectValidationError(await as(ctx.strapi, ann).put('/threads/nope/tags', { tags: [] }), ['id']);
  });
});
