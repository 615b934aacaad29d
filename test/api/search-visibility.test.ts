/**
 * Search shows only what the thread view shows (repositories/visibility): never a message before a
 * removal's watermark, from a thread one left, written while one had blocked its author (also
 * after the block is lifted), of a broadcast meant for someone else, or deleted (unless one may
 * view deleted messages). Then a randomized history compared message by message with the thread
 * views of every user.
 */
import { as, reply, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { searchAll, threadMessages } from '../helpers/search';
import { createRole, grant, pluginActions, setRole, type TestUser } from '../helpers/users';
import { tokensOf } from '../../server/src/utils/search-text';

const ctx = useStrapi();
const find = (user: TestUser, q: string) => searchAll(ctx.strapi, user, { q });

beforeAll(async () => {
  await ctx.strapi.plugin('private-messages').service('settings').update({ rateLimit: { max: 0, windowSeconds: 60 } });
});

describe('search follows visibility', () => {
  it('removal: what came before the watermark is not found; what comes after is', async () => {
    const [me, ann] = await ctx.users(2);
    const { thread, message } = await startThread(ctx.strapi, ann, [me], { body: 'wombat before' });
    expect(await find(me, 'wombat')).toEqual([message.id]);
    await as(ctx.strapi, me).del(`/threads/${thread.id}`).expect(204);
    expect(await find(me, 'wombat')).toEqual([]);
    expect(await find(ann, 'wombat')).toEqual([message.id]);
    const later = await reply(ctx.strapi, ann, thread.id, 'wombat after');
    expect(await find(me, 'wombat')).toEqual([later.id]);
  });

  it('leaving: nothing of the thread is found any more', async () => {
    const [me, ann, bob] = await ctx.users(3);
    const { thread, message } = await startThread(ctx.strapi, ann, [me, bob], { body: 'platypus talk' });
    expect(await find(me, 'platypus')).toEqual([message.id]);
    await as(ctx.strapi, me).post(`/threads/${thread.id}/leave`).expect(204);
    expect(await find(me, 'platypus')).toEqual([]);
    expect(await find(bob, 'platypus')).toEqual([message.id]);
  });

  it('blocks: what was written while blocked is never found, also after the block is lifted', async () => {
    const [me, ann, bob] = await ctx.users(3);
    const { thread, message } = await startThread(ctx.strapi, ann, [me, bob], { body: 'okapi one' });
    await as(ctx.strapi, me).post('/blocks', { userId: ann.id }).expect(201);
    const during = await reply(ctx.strapi, ann, thread.id, 'okapi two');
    expect(await find(me, 'okapi')).toEqual([message.id]);
    expect(await find(bob, 'okapi')).toEqual([during.id, message.id]);
    await as(ctx.strapi, me).del(`/blocks/${ann.id}`).expect(204);
    expect(await find(me, 'okapi')).toEqual([message.id]);
    const after = await reply(ctx.strapi, ann, thread.id, 'okapi three');
    expect(await find(me, 'okapi')).toEqual([after.id, message.id]);
  });

  it('broadcasts: a holder’s reply is found by the author only, the author’s by every holder', async () => {
    const [author, a, b] = await ctx.users(3);
    const role = await createRole(ctx.strapi, `Search role ${Date.now()}`);
    await grant(ctx.strapi, role.id, pluginActions(ctx.strapi).filter((x) => !x.endsWith('deleted-message.view')));
    for (const u of [a, b]) await setRole(ctx.strapi, u.id, role.id);
    const { thread, message } = (await as(ctx.strapi, author).post('/threads', { recipients: [{ type: 'role', id: role.id }], body: 'narwhal news' }).expect(201)).body.data;
    const fromA = await reply(ctx.strapi, a, thread.id, 'narwhal question from a');
    const fromAuthor = await reply(ctx.strapi, author, thread.id, 'narwhal answer to all');
    expect(await find(author, 'narwhal')).toEqual([fromAuthor.id, fromA.id, message.id]);
    expect(await find(a, 'narwhal')).toEqual([fromAuthor.id, fromA.id, message.id]);
    expect(await find(b, 'narwhal')).toEqual([fromAuthor.id, message.id]);
    expect(await find(b, 'question')).toEqual([]);
  });

  it('deleted messages: found only by those who may view deleted messages, body included', async () => {
    const [me, ann, mod] = await ctx.users(3);
    const moderators = await createRole(ctx.strapi, `Search moderators ${Date.now()}`);
    await grant(ctx.strapi, moderators.id, pluginActions(ctx.strapi));
    await setRole(ctx.strapi, mod.id, moderators.id);
    const { thread, message } = await startThread(ctx.strapi, ann, [me, mod], { body: 'quokka photo' });
    await as(ctx.strapi, ann).del(`/messages/${message.id}`).expect(204);
    expect(await find(me, 'quokka')).toEqual([]);
    expect(await find(ann, 'quokka')).toEqual([]);
    const { data } = (await as(ctx.strapi, mod).get('/search?q=quokka').expect(200)).body;
    expect(data.map((h: any) => h.message.id)).toEqual([message.id]);
    expect(data[0].message).toMatchObject({ deleted: true, body: 'quokka photo' });
    expect(data[0].thread.id).toBe(thread.id);
  });
});

/** A small deterministic generator (mulberry32). */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

describe('search against the thread view, randomized', () => {
  it('finds for every user exactly the messages their thread views show holding the words', async () => {
    const rnd = random(Number(process.env.SEARCH_SEED ?? 20261207));
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const VOCAB = ['apple', 'banana', 'cherry', 'damson', 'elder', 'fig'];
    const users = await ctx.users(6);
    const threads: { id: string; members: TestUser[] }[] = [];
    const sentence = () => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(VOCAB)).join(' ');
    const sent: { id: string; author: TestUser }[] = [];
    for (let i = 0; i < 10; i += 1) {
      const members = users.filter(() => rnd() < 0.5);
      const author = pick(users);
      const others = members.filter((u) => u.id !== author.id);
      if (others.length === 0) others.push(pick(users.filter((u) => u.id !== author.id)));
      const res = await as(ctx.strapi, author).post('/threads', { recipients: others.map((u) => ({ type: 'user', id: u.id })), body: sentence() });
      if (res.status !== 201) continue;
      threads.push({ id: res.body.data.thread.id, members: [author, ...others] });
      sent.push({ id: res.body.data.message.id, author });
    }
    for (let step = 0; step < 70; step += 1) {
      const thread = pick(threads);
      const actor = pick(thread.members);
      const roll = rnd();
      if (roll < 0.7) {
        const res = await as(ctx.strapi, actor).post(`/threads/${thread.id}/messages`, { body: sentence() });
        if (res.status === 201) sent.push({ id: res.body.data.id, author: actor });
      } else if (roll < 0.78) {
        await as(ctx.strapi, actor).del(`/threads/${thread.id}`);
      } else if (roll < 0.84) {
        const other = pick(users.filter((u) => u.id !== actor.id));
        if (rnd() < 0.6) await as(ctx.strapi, actor).post('/blocks', { userId: other.id });
        else await as(ctx.strapi, actor).del(`/blocks/${other.id}`);
      } else if (roll < 0.88) {
        if (thread.members.length > 2) await as(ctx.strapi, actor).post(`/threads/${thread.id}/leave`);
      } else {
        const own = sent.filter((s) => s.author.id === actor.id);
        if (own.length > 0) await as(ctx.strapi, actor).del(`/messages/${pick(own).id}`);
      }
    }
    let compared = 0;
    for (const user of users) {
      const shown: { id: string; tokens: string[] }[] = [];
      for (const thread of threads.filter((t) => t.members.some((u) => u.id === user.id))) {
        for (const msg of (await threadMessages(ctx.strapi, user, thread.id)) ?? []) {
          if (!msg.deleted) shown.push({ id: msg.id, tokens: tokensOf(msg.body).map((x) => x.token) });
        }
      }
      for (const q of [...VOCAB, 'apple banana', 'ch', 'fig el']) {
        const words = q.split(' ');
        const expected = shown
          .filter((m) => words.every((w, i) => (i === words.length - 1 ? m.tokens.some((t) => t.startsWith(w)) : m.tokens.includes(w))))
          .map((m) => m.id)
          .sort();
        // Both plans: from the index's matches, and walking the user's messages (every word "common").
        for (const common of ['', '1']) {
          process.env.PRIVATE_MESSAGES_SEARCH_COMMON_MATCHES = common;
          const found = await find(user, q);
          expect({ user: user.id, q, common, found: [...found].sort() }).toEqual({ user: user.id, q, common, found: expected });
        }
        delete process.env.PRIVATE_MESSAGES_SEARCH_COMMON_MATCHES;
        compared += expected.length;
      }
    }
    expect(compared).toBeGreaterThan(50);
  }, 240_000);
});
