/**
 * GET /search (docs/api.md, *Search*): words, the last one a prefix, case and accents ignored, on
 * the database's own full-text index, kept by every write path in the write's transaction; plain
 * snippets with highlight ranges; cursor pages, newest first; 400s for what cannot be searched.
 */
import { as, reply, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { rebootStrapi } from '../helpers/strapi';
import { expectValidationError } from '../helpers/assertions';
import { searchAll, searchPage } from '../helpers/search';
import type { TestUser } from '../helpers/users';
import { dialectOf } from '../../server/src/repositories/dialect';
import { FTS_TABLE, GIN_INDEX, SEARCH_TABLE } from '../../server/src/repositories/search-dialect';
import { insertMessage } from '../../server/src/repositories/messages';

const ctx = useStrapi();
const knex = () => ctx.strapi.db.connection;
const plugin = () => ctx.strapi.plugin('private-messages');
const indexTable = () => (dialectOf(knex()) === 'sqlite' ? FTS_TABLE : SEARCH_TABLE);
const indexIdColumn = () => (dialectOf(knex()) === 'sqlite' ? 'rowid' : 'message_id');
const internalId = async (documentId: string) => Number((await knex()('pm_messages').select('id').where('document_id', documentId).first()).id);
const indexed = async (id: number) => Number((await knex()(indexTable()).where(indexIdColumn(), id).count({ n: '*' }))[0].n) > 0;

let me: TestUser, ann: TestUser, bob: TestUser, cat: TestUser;
const t: Record<string, string> = {};
const m: Record<string, string> = {};

beforeAll(async () => {
  await plugin().service('settings').update({ rateLimit: { max: 0, windowSeconds: 60 } });
  [me, ann, bob, cat] = await ctx.users(4);
  let sent = await startThread(ctx.strapi, ann, [me], { subject: 'Holiday plans', body: '<p>Shall we book the <b>Café</b> in Zürich?</p><p>It is near the lake.</p>', format: 'basic_html' });
  t.holiday = sent.thread.id;
  m.cafe = sent.message.id;
  m.lake = (await reply(ctx.strapi, me, t.holiday, 'Yes, the lakeside café & the museum')).id;
  sent = await startThread(ctx.strapi, bob, [me, cat], { subject: 'Invoice 2026', body: 'Your invoice number 4471 is attached' });
  t.invoice = sent.thread.id;
  m.invoice = sent.message.id;
  m.museum = (await reply(ctx.strapi, cat, t.invoice, 'museum tickets are on the invoice too')).id;
  sent = await startThread(ctx.strapi, ann, [bob], { subject: 'Not for me', body: 'museum secrets' });
  t.other = sent.thread.id;
});

describe('GET /search', () => {
  it('finds messages holding every word, the last as a prefix, ignoring case and accents, newest first', async () => {
    expect(await searchAll(ctx.strapi, me, { q: 'cafe' })).toEqual([m.lake, m.cafe]);
    expect(await searchAll(ctx.strapi, me, { q: 'CAFÉ near' })).toEqual([m.cafe]);
    expect(await searchAll(ctx.strapi, me, { q: 'CAFÉ lake' })).toEqual([m.lake, m.cafe]);
    expect(await searchAll(ctx.strapi, me, { q: 'caf lakes' })).toEqual([]);
    expect(await searchAll(ctx.strapi, me, { q: 'cafe lak' })).toEqual([m.lake, m.cafe]);
    expect(await searchAll(ctx.strapi, me, { q: 'zurich' })).toEqual([m.cafe]);
    expect(await searchAll(ctx.strapi, me, { q: 'mus' })).toEqual([m.museum, m.lake]);
    expect(await searchAll(ctx.strapi, me, { q: '4471' })).toEqual([m.invoice]);
    // Short and common words are found too (no stop words).
    expect(await searchAll(ctx.strapi, me, { q: 'is the' })).toEqual([m.cafe]);
    // The thread's subject counts as the message's text.
    expect(await searchAll(ctx.strapi, me, { q: 'holiday' })).toEqual([m.lake, m.cafe]);
    expect(await searchAll(ctx.strapi, me, { q: 'invoice attached' })).toEqual([m.invoice]);
    // Nothing from a thread the caller is not in.
    expect(await searchAll(ctx.strapi, me, { q: 'secrets' })).toEqual([]);
    expect(await searchAll(ctx.strapi, ann, { q: 'secrets' })).toEqual([(await searchPage(ctx.strapi, bob, { q: 'secrets' })).data[0].message.id]);
  });

  it('matches the same on every database: accents and case folded, no stemming, CJK by character', async () => {
    const hit = async (body: string, queries: string[]) => {
      const { thread, message } = await startThread(ctx.strapi, cat, [bob], { body });
      const found: Record<string, boolean> = {};
      for (const q of queries) found[q] = (await searchAll(ctx.strapi, bob, { q, thread: thread.id })).includes(message.id);
      return found;
    };
    expect(await hit('Crème brûlée at the Hôtel', ['creme brulee', 'HOTEL', 'hôt'])).toEqual({ 'creme brulee': true, HOTEL: true, 'hôt': true });
    // No stemming: a word is found whole, or as the query's last word's prefix.
    expect(await hit('The order was ordered', ['orders', 'ordered', 'order was', 'ordering'])).toEqual({ orders: false, ordered: true, 'order was': true, ordering: false });
    // Punctuation separates words: e-mail addresses, hosts, hyphens, underscores.
    expect(await hit('Write to jo@example.com about snake_case and co-op', ['example com', 'jo', 'snake case', 'op'])).toEqual({ 'example com': true, jo: true, 'snake case': true, op: true });
    // Chinese and Japanese: each character is a word, so a word inside unpunctuated text is found (not its order).
    expect(await hit('我住在东京都，喜欢寿司', ['东京', '京都', '寿司', '东京 寿司', '大阪'])).toEqual({ '东京': true, '京都': true, '寿司': true, '东京 寿司': true, '大阪': false });
    // ß is not ss, and ligatures stay themselves (no compatibility folding).
    expect(await hit('Die Straße', ['strasse', 'straße'])).toEqual({ strasse: false, 'straße': true });
  });

  it('answers the message, its thread and a plain-text snippet with the matches’ places', async () => {
    const { data } = await searchPage(ctx.strapi, me, { q: 'cafe zur' });
    expect(data).toHaveLength(1);
    const [hit] = data;
    expect(hit.message).toMatchObject({ id: m.cafe, threadId: t.holiday, deleted: false, author: { id: ann.id } });
    expect(hit.message.body).toContain('<p>');
    expect(hit.thread).toEqual({ id: t.holiday, subject: 'Holiday plans' });
    expect(hit.snippet.text).toBe('Shall we book the Café in Zürich? It is near the lake.');
    expect(hit.snippet.highlights.map((h: any) => hit.snippet.text.slice(h.start, h.end))).toEqual(['Café', 'Zürich']);
  });

  it('cuts long texts around the first match', async () => {
    const long = `${'filler words here '.repeat(30)}the needle is here ${'and more text after '.repeat(30)}`;
    const id = (await reply(ctx.strapi, ann, t.holiday, long)).id;
    const [hit] = (await searchPage(ctx.strapi, me, { q: 'needle' })).data;
    expect(hit.message.id).toBe(id);
    expect(hit.snippet.text.startsWith('…')).toBe(true);
    expect(hit.snippet.text.endsWith('…')).toBe(true);
    expect(hit.snippet.text.length).toBeLessThanOrEqual(162);
    expect(hit.snippet.highlights.map((h: any) => hit.snippet.text.slice(h.start, h.end))).toEqual(['needle']);
  });

  it('pages with a cursor, newest first, and combines the filters', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await reply(ctx.strapi, bob, t.invoice, `pagination probe ${i}`)).id);
    const first = await searchPage(ctx.strapi, me, { q: 'pagination', limit: 2 });
    expect(first.data.map((h) => h.message.id)).toEqual([ids[4], ids[3]]);
    expect(await searchAll(ctx.strapi, me, { q: 'pagination probe' }, 2)).toEqual([...ids].reverse());
    expect(await searchAll(ctx.strapi, me, { q: 'pagination', thread: t.holiday })).toEqual([]);
    expect(await searchAll(ctx.strapi, me, { q: 'pagination', thread: t.invoice })).toHaveLength(5);
    expect(await searchAll(ctx.strapi, me, { q: 'museum', participant: cat.id })).toEqual([m.museum]);
    expect(await searchAll(ctx.strapi, me, { q: 'museum', participant: ann.id })).toEqual([m.lake]);
    const cafeAt = (await searchPage(ctx.strapi, me, { q: 'zurich' })).data[0].message.createdAt;
    expect(await searchAll(ctx.strapi, me, { q: 'cafe', before: cafeAt })).toEqual([]);
    expect(await searchAll(ctx.strapi, me, { q: 'cafe', after: cafeAt })).toEqual([m.lake, m.cafe]);
    expect(await searchAll(ctx.strapi, me, { q: 'cafe', after: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
  });

  it('refuses what cannot be searched with a 400, and a thread that is not the caller’s with a 404', async () => {
    for (const q of ['', 'a', ' b ', '!!', '…—']) {
      expectValidationError(await as(ctx.strapi, me).get(`/search?q=${encodeURIComponent(q)}`).expect(400));
    }
    // Query syntax of the databases is plain text here: never a 500, never a database error.
    for (const q of ['"unclosed', 'a* OR -b', "o'clock)", 'NEAR(x y)', '+++', 'x & y | !z:*']) {
      await as(ctx.strapi, me).get(`/search?q=${encodeURIComponent(q)}`).expect((res) => expect([200, 400]).toContain(res.status));
    }
    expectValidationError(await as(ctx.strapi, me).get('/search').expect(400), ['q']);
    expectValidationError(await as(ctx.strapi, me).get('/search?q=cafe&sort=rank').expect(400));
    expectValidationError(await as(ctx.strapi, me).get('/search?q=cafe&cursor=nope').expect(400), ['cursor']);
    expectValidationError(await as(ctx.strapi, me).get('/search?q=cafe&after=yesterday').expect(400), ['after']);
    await as(ctx.strapi, me).get(`/search?q=cafe&thread=${t.other}`).expect(404);
    await as(ctx.strapi, null).get('/search?q=cafe').expect(403);
  });

  it('GET /threads?q=&in=all also finds threads by their messages, through the same index', async () => {
    const ids = async (query: string) => (await as(ctx.strapi, me).get(`/threads?${query}`).expect(200)).body.data.map((x: any) => x.id);
    expect(await ids('q=museum')).toEqual([]);
    expect(await ids('q=museum&in=subject')).toEqual([]);
    expect(await ids('q=museum&in=all')).toEqual([t.invoice, t.holiday]);
    expect(await ids('q=Holiday&in=all')).toEqual([t.holiday]);
    expect(await ids('q=secrets&in=all')).toEqual([]);
    expectValidationError(await as(ctx.strapi, me).get('/threads?q=x&in=body').expect(400), ['in']);
  });

  it('keeps the index exact: a send indexes, a soft delete keeps the row (decided at query time), the purge drops it', async () => {
    const sent = await reply(ctx.strapi, cat, t.invoice, 'ephemeral words');
    const id = await internalId(sent.id);
    expect(await indexed(id)).toBe(true);
    await as(ctx.strapi, cat).del(`/messages/${sent.id}`).expect(204);
    expect(await indexed(id)).toBe(true);
    expect(await searchAll(ctx.strapi, me, { q: 'ephemeral' })).toEqual([]);
    await plugin().service('settings').update({ purgeDeletedAfterDays: 1 });
    await plugin().service('purge').run(new Date(Date.now() + 2 * 86_400_000));
    expect(await indexed(id)).toBe(false);
    expect(await knex()('pm_messages').where('document_id', sent.id).first()).toBeUndefined();
  });

  it('writes a message’s index row in the message’s transaction: rolled back with it', async () => {
    const count = async () => Number((await knex()(indexTable()).count({ n: '*' }))[0].n);
    const before = await count();
    const threadId = Number((await knex()('pm_threads').select('id').where('document_id', t.holiday).first()).id);
    const write = knex().transaction(async (trx) => {
      const message = await insertMessage(trx, { threadId, subject: 'Holiday plans', authorId: me.id, body: 'rolled back words', format: 'plain_text', excerpt: '', now: new Date() });
      expect(Number((await trx(indexTable()).where(indexIdColumn(), message.id).count({ n: '*' }))[0].n)).toBe(1);
      throw new Error('abort');
    });
    await expect(write).rejects.toThrow('abort');
    expect(await count()).toBe(before);
    expect(await searchAll(ctx.strapi, me, { q: 'rolled back' })).toEqual([]);
  });

  it('survives restarts: Strapi’s schema sync leaves the index alone, and it is not rebuilt', async () => {
    const rows = Number((await knex()(indexTable()).count({ n: '*' }))[0].n);
    ctx.strapi = await rebootStrapi(ctx.strapi, {});
    ctx.strapi = await rebootStrapi(ctx.strapi, {});
    expect(Number((await knex()(indexTable()).count({ n: '*' }))[0].n)).toBe(rows);
    expect(await searchAll(ctx.strapi, me, { q: 'zurich' })).toEqual([m.cafe]);
    const later = await reply(ctx.strapi, ann, t.holiday, 'after the restart');
    expect(await searchAll(ctx.strapi, me, { q: 'restart' })).toEqual([later.id]);
  });

  it('resumes a fill that a boot did not finish: the messages it had not reached are indexed at the next boot', async () => {
    const ids = [await internalId(m.cafe), await internalId(m.invoice)];
    await knex()(indexTable()).whereIn(indexIdColumn(), ids).delete();
    await ctx.strapi.store({ type: 'plugin', name: 'private-messages' }).set({ key: 'messageSearchIndexFilled', value: false });
    expect(await searchAll(ctx.strapi, me, { q: 'zurich' })).toEqual([]);
    ctx.strapi = await rebootStrapi(ctx.strapi, {});
    expect(await Promise.all(ids.map(indexed))).toEqual([true, true]);
    expect(await searchAll(ctx.strapi, me, { q: 'zurich' })).toEqual([m.cafe]);
    expect(await searchAll(ctx.strapi, me, { q: '4471' })).toEqual([m.invoice]);
  });

  it('PostgreSQL: the GIN index keeps a small pending list, and a boot that finds it missing indexes what is missing first', async () => {
    if (dialectOf(knex()) !== 'postgres') return;
    const options = async () => (await knex().raw('select reloptions::text[] as o from pg_class where relname = ?', [GIN_INDEX])).rows[0]?.o ?? null;
    expect(await options()).toEqual(expect.arrayContaining(['fastupdate=on', 'gin_pending_list_limit=64']));
    // An index of an earlier version (default options), then one whose build did not finish.
    await knex().raw(`alter index ${GIN_INDEX} reset (fastupdate, gin_pending_list_limit)`);
    ctx.strapi = await rebootStrapi(ctx.strapi, {});
    expect(await options()).toEqual(expect.arrayContaining(['fastupdate=on', 'gin_pending_list_limit=64']));
    const id = await internalId((await reply(ctx.strapi, ann, t.holiday, 'unfinished build')).id);
    await knex()(SEARCH_TABLE).where('message_id', id).delete();
    await knex().raw(`drop index ${GIN_INDEX}`);
    ctx.strapi = await rebootStrapi(ctx.strapi, {});
    expect(await options()).toEqual(expect.arrayContaining(['fastupdate=on', 'gin_pending_list_limit=64']));
    expect(await indexed(id)).toBe(true);
    expect((await searchPage(ctx.strapi, me, { q: 'unfinished build' })).data.map((h) => h.message.id)).toHaveLength(1);
  });
});
