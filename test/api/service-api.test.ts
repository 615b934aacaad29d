import { as } from '../helpers/api';
import { useStrapi } from '../helpers/setup';

const ctx = useStrapi();
const messaging = () => ctx.strapi.plugin('private-messages').service('messaging');

describe("strapi.plugin('private-messages').service('messaging')", () => {
  it('sends, replies and answers canSend with the same rules as HTTP', async () => {
    const [ann, bob] = await ctx.users(2);
    const sent = await messaging().send({ author: ann.id, recipients: [bob.id], subject: 'From a script', body: 'Hi' });
    expect(sent.thread).toMatchObject({ subject: 'From a script', messageCount: 1 });
    const replied = await messaging().reply({ author: bob.id, threadId: sent.thread.id, body: '**ok**', format: 'plain_text' });
    expect(replied).toMatchObject({ body: '**ok**', author: { id: bob.id }, isNew: false });

    const inbox = (await as(ctx.strapi, ann).get('/threads').expect(200)).body.data;
    expect(inbox[0]).toMatchObject({ id: sent.thread.id, unreadCount: 1, messageCount: 2 });

    expect(await messaging().canSend({ author: ann.id, recipients: [{ type: 'user', id: bob.id }] })).toMatchObject({
      allowed: true,
      refused: [],
    });
    // A reply's verdict, in a 1:1 thread and in a group: the same rules as reply().
    expect((await messaging().canSend({ author: ann.id, context: { threadId: sent.thread.id } })).allowed).toBe(true);
    const [cat] = await ctx.users(1);
    const group = await messaging().send({ author: ann.id, recipients: [bob.id, cat.id], body: 'group' });
    expect(await messaging().canSend({ author: bob.id, context: { threadId: group.thread.id } })).toMatchObject({ allowed: true, refused: [] });
    const refused = await messaging().canSend({ author: ann.id, recipients: [ann.id, 424242] });
    expect(refused.allowed).toBe(false);
    expect(refused.refused.map((r: any) => r.code)).toEqual(['self', 'unknown_recipient']);

    await expect(messaging().send({ author: ann.id, recipients: [ann.id], body: 'x' })).rejects.toMatchObject({
      name: 'ForbiddenError',
      details: { refused: [expect.objectContaining({ code: 'self' })] },
    });
    await expect(messaging().send({ author: ann.id, recipients: [bob.id], body: 12 as any })).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(messaging().reply({ author: ann.id, threadId: 'abcdefghijklmnopqrstuvwx', body: 'x' })).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('lets system messages bypass the rules, but not reach users who do not exist', async () => {
    const [ann, bob] = await ctx.users(2);
    await ctx.strapi.db.query('plugin::users-permissions.user').update({ where: { id: bob.id }, data: { blocked: true } });
    await expect(messaging().send({ author: ann.id, recipients: [bob.id], body: 'x' })).rejects.toMatchObject({
      details: { refused: [expect.objectContaining({ code: 'recipient_disabled' })] },
    });
    const sent = await messaging().send({ author: ann.id, recipients: [bob.id], body: 'Welcome!' }, { bypassRules: true });
    expect(sent.thread.participants.map((p: any) => p.id)).toEqual([ann.id, bob.id]);
    await expect(
      messaging().send({ author: ann.id, recipients: [999_999], body: 'x' }, { bypassRules: true })
    ).rejects.toMatchObject({ details: { refused: [expect.objectContaining({ code: 'unknown_recipient' })] } });
  });
});
