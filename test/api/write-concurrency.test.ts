import { useStrapi } from '../helpers/setup';
import { as, startThread } from '../helpers/api';

/*
 * Every write path takes its locks in one order (the thread's row, then memberships): a member
 * marking a thread read, unread or removed while the other member replies to it never deadlocks
 * into an error, and no answer is a 5xx. Locking the membership before the thread deadlocked on
 * PostgreSQL against a reply (the foreign-key check of the membership's second update waited on
 * the thread the reply held).
 */
const ctx = useStrapi();
const settings = () => ctx.strapi.plugin('private-messages').service('settings');

const ROUNDS = 60;

describe('concurrent writes to one thread', () => {
  beforeAll(() => settings().update({ rateLimit: { max: 0, windowSeconds: 60 } }));

  it('answers every reply and every read-state change, none with a 5xx, and keeps the counts exact', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob], { body: 'start' });
    const statuses: number[] = [];
    const changes = [
      () => as(ctx.strapi, bob).post(`/threads/${thread.id}/read`),
      () => as(ctx.strapi, bob).post(`/threads/${thread.id}/unread`),
      () => as(ctx.strapi, bob).del(`/threads/${thread.id}`),
      () => as(ctx.strapi, bob).post('/threads/actions', { action: 'markRead', threadIds: [thread.id] }),
    ];
    for (let round = 0; round < ROUNDS; round += 1) {
      // Both members reply now and then, so each side's membership is written by the other's reply.
      const replier = round % 5 === 4 ? bob : ann;
      const results = await Promise.all([
        as(ctx.strapi, replier).post(`/threads/${thread.id}/messages`, { body: `reply ${round}` }),
        changes[round % changes.length](),
        as(ctx.strapi, ann).post(`/threads/${thread.id}/read`),
      ]);
      statuses.push(...results.map((r) => r.status));
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s >= 200 && s < 300)).toBe(true);

    // Every message arrived; each member's counts are what their view lists (Bob's removals keep
    // only what came after the last of them).
    for (const member of [ann, bob]) {
      const view = (await as(ctx.strapi, member).get(`/threads/${thread.id}?limit=100`).expect(200)).body.data;
      if (member === ann) expect(view.messageCount).toBe(ROUNDS + 1);
      expect(view.messageCount).toBe(view.messages.length);
      expect(view.unreadCount).toBe(view.messages.filter((m: { isNew: boolean }) => m.isNew).length);
    }
  }, 180_000);
});
