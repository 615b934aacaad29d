/**
 * Inbox lists take each thread's participants from the preview kept on the thread row (the first
 * 10 members by user id), not from its memberships: these check that the preview says what the
 * memberships say, through every change of a thread's member set.
 */
import { as, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import type { TestUser } from '../helpers/users';

const ctx = useStrapi();

const inboxOf = async (user: TestUser) => (await as(ctx.strapi, user).get('/threads').expect(200)).body.data as any[];
const threadOf = async (user: TestUser, id: string) => (await as(ctx.strapi, user).get(`/threads/${id}`).expect(200)).body.data;
const listed = async (user: TestUser, id: string) => (await inboxOf(user)).find((t) => t.id === id);
const idsAndLeft = (participants: any[]) => participants.map((p) => [p.id, p.left]);

describe("a thread list's participants", () => {
  it('are the first 10 members by user id, as in the thread view', async () => {
    const users = await ctx.users(12);
    const [ann, ...others] = users;
    const { thread } = await startThread(ctx.strapi, ann, others);
    const inList = (await listed(ann, thread.id)).participants;
    const inView = (await threadOf(ann, thread.id)).participants;
    expect(inList).toHaveLength(10);
    expect(inView).toHaveLength(12);
    expect(inList).toEqual(inView.slice(0, 10));
    expect(inList.map((p: any) => p.id)).toEqual(users.map((u) => u.id).sort((a, b) => a - b).slice(0, 10));
  });

  it('flag members who left, also when several leave at once', async () => {
    const [ann, bob, cat, dan, eve] = await ctx.users(5);
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat, dan, eve]);
    await Promise.all([cat, dan, eve].map((u) => as(ctx.strapi, u).post(`/threads/${thread.id}/leave`).expect(204)));
    const expected = [
      [ann.id, false],
      [bob.id, false],
      [cat.id, true],
      [dan.id, true],
      [eve.id, true],
    ];
    expect(idsAndLeft((await listed(ann, thread.id)).participants)).toEqual(expected);
    expect(idsAndLeft((await threadOf(bob, thread.id)).participants)).toEqual(expected);
  });

  it('drop a user deleted since, like the thread view', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat]);
    await ctx.strapi.db.query('plugin::users-permissions.user').delete({ where: { id: cat.id } });
    expect((await listed(ann, thread.id)).participants.map((p: any) => p.id)).toEqual([ann.id, bob.id]);
    expect((await threadOf(ann, thread.id)).participants.map((p: any) => p.id)).toEqual([ann.id, bob.id]);
  });

  it('come from the memberships for a thread written before previews existed', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat]);
    const expected = (await listed(ann, thread.id)).participants;
    await ctx.strapi.db.connection('pm_threads').where('document_id', thread.id).update({ participant_preview: null });
    expect((await listed(ann, thread.id)).participants).toEqual(expected);
    await as(ctx.strapi, cat).post(`/threads/${thread.id}/leave`).expect(204);
    // Leaving writes the preview afresh.
    const [row] = await ctx.strapi.db.connection('pm_threads').select('participant_preview').where('document_id', thread.id);
    expect(row.participant_preview).not.toBeNull();
    expect(idsAndLeft((await listed(ann, thread.id)).participants)).toEqual([
      [ann.id, false],
      [bob.id, false],
      [cat.id, true],
    ]);
  });
});
