import { as, reply, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { isPostgres } from '../helpers/strapi';
import type { TestUser } from '../helpers/users';
import { expectValidationError } from '../helpers/assertions';

const ctx = useStrapi();

const createTag = async (user: TestUser, name: string) =>
  (await as(ctx.strapi, user).post('/tags', { name }).expect(201)).body.data as { id: string; name: string };

const list = async (user: TestUser, query: Record<string, string | number>) => {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return (await as(ctx.strapi, user).get(`/threads?${qs}`).expect(200)).body as { data: any[]; meta: { nextCursor: string | null } };
};

const ids = async (user: TestUser, query: Record<string, string | number>) => (await list(user, query)).data.map((t) => t.id);

/** Every page of a filtered inbox, following nextCursor. */
const walk = async (user: TestUser, query: Record<string, string | number>, limit: number) => {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const page = await list(user, { ...query, limit, ...(cursor ? { cursor } : {}) });
    pages.push(page.data.map((t) => t.id));
    cursor = page.meta.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
};

describe('GET /threads filters', () => {
  let me: TestUser, ann: TestUser, bob: TestUser, cat: TestUser, dan: TestUser;
  const t: Record<string, string> = {};
  let work: { id: string }, home: { id: string };

  beforeAll(async () => {
    [me, ann, bob, cat, dan] = await ctx.users(5);
    t.order = (await startThread(ctx.strapi, ann, [me], { subject: 'Order #1001' })).thread.id;
    t.invoice = (await startThread(ctx.strapi, bob, [me], { subject: 'Invoice: 50% off' })).thread.id;
    t.group = (await startThread(ctx.strapi, ann, [me, bob], { subject: 'order_2 planning' })).thread.id;
    t.mine = (await startThread(ctx.strapi, me, [cat], { subject: 'Lunch?' })).thread.id;
    t.german = (await startThread(ctx.strapi, dan, [me], { subject: 'ÄRGER mit Bestellung' })).thread.id;
    t.left = (await startThread(ctx.strapi, cat, [me, ann])).thread.id;
    // Ann left this group: she still shows among its participants, so she still matches it.
    await as(ctx.strapi, ann).post(`/threads/${t.left}/leave`).expect(204);
    await as(ctx.strapi, me).post(`/threads/${t.order}/read`).expect(200);

    work = await createTag(me, 'work');
    home = await createTag(me, 'home');
    await as(ctx.strapi, me).put(`/threads/${t.order}/tags`, { tags: [work.id] }).expect(200);
    await as(ctx.strapi, me).put(`/threads/${t.group}/tags`, { tags: [work.id, home.id] }).expect(200);
    await as(ctx.strapi, me).put(`/threads/${t.invoice}/tags`, { tags: [home.id] }).expect(200);
    // Others' tags never filter my inbox.
    const annsTag = await createTag(ann, 'work');
    await as(ctx.strapi, ann).put(`/threads/${t.left}/tags`, { tags: [annsTag.id] }).expect(404); // she left
    await as(ctx.strapi, ann).put(`/threads/${t.order}/tags`, { tags: [annsTag.id] }).expect(200);
  });

  it('lists everything, newest activity first, without filters', async () => {
    expect(await ids(me, {})).toEqual([t.left, t.german, t.mine, t.group, t.invoice, t.order]);
  });

  it('filters by one of the caller’s tags', async () => {
    expect(await ids(me, { tag: work.id })).toEqual([t.group, t.order]);
    expect(await ids(me, { tag: home.id })).toEqual([t.group, t.invoice]);
    const empty = await createTag(me, 'empty');
    expect(await list(me, { tag: empty.id })).toEqual({ data: [], meta: { nextCursor: null } });
  });

  it('is a 404 for a tag that is not the caller’s, or no longer exists', async () => {
    const annsTag = (await as(ctx.strapi, ann).get('/tags').expect(200)).body.data[0];
    const res = await as(ctx.strapi, me).get(`/threads?tag=${annsTag.id}`).expect(404);
    expect(res.body.error).toMatchObject({ name: 'NotFoundError', message: 'Tag not found' });
    await as(ctx.strapi, me).get(`/threads?tag=${'t'.repeat(24)}`).expect(404);
    const gone = await createTag(me, 'gone');
    await as(ctx.strapi, me).del(`/tags/${gone.id}`).expect(204);
    await as(ctx.strapi, me).get(`/threads?tag=${gone.id}`).expect(404);
  });

  it('filters by participant, including members who left', async () => {
    expect(await ids(me, { participant: ann.id })).toEqual([t.left, t.group, t.order]);
    expect(await ids(me, { participant: bob.id })).toEqual([t.group, t.invoice]);
    expect(await ids(me, { participant: cat.id })).toEqual([t.left, t.mine]);
    expect(await ids(me, { participant: 2_000_000_000 })).toEqual([]);
    // Only the caller's threads: bob's inbox filtered by ann does not show ann's threads with me.
    expect(await ids(bob, { participant: ann.id })).toEqual([t.group]);
  });

  it('filters by subject, case-insensitively, taking LIKE wildcards literally', async () => {
    expect(await ids(me, { q: 'order' })).toEqual([t.group, t.order]);
    expect(await ids(me, { q: 'ORDER #' })).toEqual([t.order]);
    expect(await ids(me, { q: '  invoice ' })).toEqual([t.invoice]);
    expect(await ids(me, { q: '50%' })).toEqual([t.invoice]);
    expect(await ids(me, { q: '%' })).toEqual([t.invoice]);
    expect(await ids(me, { q: '_' })).toEqual([t.group]);
    expect(await ids(me, { q: '\\' })).toEqual([]);
    expect(await ids(me, { q: 'bestell' })).toEqual([t.german]);
    expect(await ids(me, { q: 'ÄRGER' })).toEqual([t.german]);
    // Only case is ignored, never accents, whatever the database's collation (MySQL/MariaDB's
    // utf8mb4_unicode_ci would match 'arger' with 'ÄRGER').
    expect(await ids(me, { q: 'arger' })).toEqual([]);
    expect(await ids(me, { q: 'nothing like it' })).toEqual([]);
  });

  (isPostgres() ? it : it.skip)('serves the subject search with a trigram index on PostgreSQL', async () => {
    const { rows } = await ctx.strapi.db.connection.raw(
      "select indexdef from pg_indexes where tablename = 'pm_threads' and indexname = 'pm_threads_subject_trgm_idx'"
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].indexdef).toMatch(/USING gin \(subject gin_trgm_ops\)/);
  });

  it('filters unread threads', async () => {
    expect(await ids(me, { unread: 'true' })).toEqual([t.left, t.german, t.group, t.invoice]);
    expect(await ids(cat, { unread: 'true' })).toEqual([t.mine]);
    expect(await ids(ann, { unread: 'true' })).toEqual([]);
  });

  it('combines filters', async () => {
    expect(await ids(me, { tag: work.id, unread: 'true' })).toEqual([t.group]);
    expect(await ids(me, { tag: work.id, participant: bob.id })).toEqual([t.group]);
    expect(await ids(me, { tag: home.id, q: 'invoice' })).toEqual([t.invoice]);
    expect(await ids(me, { participant: ann.id, q: 'order', unread: 'true' })).toEqual([t.group]);
    expect(await ids(me, { participant: ann.id, q: 'order', unread: 'true', tag: home.id })).toEqual([t.group]);
    expect(await ids(me, { participant: cat.id, tag: work.id })).toEqual([]);
  });

  it('leaves out threads removed from the inbox, and shows them again when they come back', async () => {
    const [eve, fay] = await ctx.users(2);
    const gone = (await startThread(ctx.strapi, fay, [eve], { subject: 'Temporary' })).thread.id;
    const tag = await createTag(eve, 'keep');
    await as(ctx.strapi, eve).put(`/threads/${gone}/tags`, { tags: [tag.id] }).expect(200);
    await as(ctx.strapi, eve).del(`/threads/${gone}`).expect(204);
    const filters: Record<string, string | number>[] = [{ tag: tag.id }, { participant: fay.id }, { q: 'temp' }, { unread: 'true' }];
    for (const query of filters) {
      expect(await ids(eve, query)).toEqual([]);
    }
    await reply(ctx.strapi, fay, gone, 'back');
    for (const query of filters) {
      expect(await ids(eve, query)).toEqual([gone]);
    }
  });

  it.each([
    ['unread=false', ['unread']],
    ['unread=1', ['unread']],
    ['unread=', ['unread']],
    ['q=', ['q']],
    ['q=%20%20', ['q']],
    ['q=<256 x>', ['q']],
    ['tag=work', ['tag']],
    ['participant=0', ['participant']],
    ['participant=abc', ['participant']],
    ['participant=1.5', ['participant']],
    ['tag=aaaaaaaaaaaaaaaaaaaaaaaa&tag=bbbbbbbbbbbbbbbbbbbbbbbb', ['tag']],
    ['subject=order', ['subject']],
  ])('is a 400 for %s', async (query, path) => {
    expectValidationError(await as(ctx.strapi, me).get(`/threads?${query.replace('<256 x>', 'x'.repeat(256))}`), path);
  });
});

describe('GET /threads filters with cursor pagination', () => {
  let me: TestUser, bob: TestUser;
  let all: string[]; // the inbox, newest activity first
  const subject = new Map<string, string>();
  const tagged = new Set<string>(), unread = new Set<string>(), withBob = new Set<string>();
  let tag: { id: string };

  beforeAll(async () => {
    let ann: TestUser, cat: TestUser;
    [me, ann, bob, cat] = await ctx.users(4);
    tag = await createTag(me, 'paged');
    const created: { id: string; author: TestUser }[] = [];
    for (let i = 0; i < 15; i += 1) {
      const author = [ann, bob, cat][i % 3];
      const recipients = i % 4 === 0 ? [me, author === bob ? ann : bob] : [me];
      const id = (await startThread(ctx.strapi, author, recipients, { subject: i % 2 ? `Report ${i}` : `Note ${i}` })).thread.id;
      created.push({ id, author });
      subject.set(id, i % 2 ? `Report ${i}` : `Note ${i}`);
      if (author === bob || recipients.includes(bob)) withBob.add(id);
      if (i % 3 !== 2) {
        await as(ctx.strapi, me).put(`/threads/${id}/tags`, { tags: [tag.id] }).expect(200);
        tagged.add(id);
      }
      if (i % 5 === 0) await as(ctx.strapi, me).post(`/threads/${id}/read`).expect(200);
      else unread.add(id);
    }
    // Bump a few, so that activity order differs from creation order.
    const bumped = [3, 0, 7].map((i) => created[i]);
    for (const { id, author } of bumped) {
      await reply(ctx.strapi, author, id, 'bump');
      unread.add(id);
    }
    all = [
      ...bumped.map((c) => c.id).reverse(),
      ...created.filter((c) => !bumped.includes(c)).map((c) => c.id).reverse(),
    ];
    expect(await ids(me, { limit: 100 })).toEqual(all);
  });

  it.each([
    ['tag', () => ({ tag: tag.id }), (id: string) => tagged.has(id)],
    ['unread', () => ({ unread: 'true' }), (id: string) => unread.has(id)],
    ['participant', () => ({ participant: bob.id }), (id: string) => withBob.has(id)],
    ['q', () => ({ q: 'REPORT' }), (id: string) => subject.get(id)!.startsWith('Report')],
    ['tag + unread', () => ({ tag: tag.id, unread: 'true' }), (id: string) => tagged.has(id) && unread.has(id)],
    [
      'tag + unread + participant + q',
      () => ({ tag: tag.id, unread: 'true', participant: bob.id, q: 'e' }),
      (id: string) => tagged.has(id) && unread.has(id) && withBob.has(id),
    ],
  ])('walks every page of the %s filter exactly once, in inbox order', async (_label, query, keep) => {
    const expected = all.filter(keep);
    expect(expected.length).toBeGreaterThan(2);
    for (const limit of [1, 2, 3]) {
      const pages = await walk(me, query(), limit);
      expect(pages.flat()).toEqual(expected);
      expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
      expect(pages[pages.length - 1].length).toBeGreaterThan(0);
    }
  });

  it('is a 400 for a tampered cursor, with filters too', async () => {
    const first = await list(me, { tag: tag.id, limit: 1 });
    const signature = (first.meta.nextCursor as string).split('.')[1];
    const forged = Buffer.from(JSON.stringify([Date.now(), 1])).toString('base64url');
    expectValidationError(await as(ctx.strapi, me).get(`/threads?tag=${tag.id}&cursor=${forged}.${signature}`), ['cursor']);
  });
});
