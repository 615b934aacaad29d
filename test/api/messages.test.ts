import { as, reply, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { createRole, grant, pluginActions, registerUser, setRole, login, type TestUser } from '../helpers/users';

const ctx = useStrapi();
const VIEW_DELETED = 'plugin::private-messages.deleted-message.view';

describe('DELETE /messages/:id', () => {
  let ann: TestUser, bob: TestUser;
  beforeAll(async () => {
    [ann, bob] = await ctx.users(2);
  });

  it('soft-deletes one’s own message: others see a placeholder, counts stay', async () => {
    const { thread, message } = await startThread(ctx.strapi, ann, [bob], { body: 'oops' });
    await reply(ctx.strapi, ann, thread.id, 'kept');
    await as(ctx.strapi, ann).del(`/messages/${message.id}`).expect(204);

    for (const user of [ann, bob]) {
      const view = (await as(ctx.strapi, user).get(`/threads/${thread.id}`).expect(200)).body.data;
      expect(view.messageCount).toBe(2);
      expect(view.messages[0]).toMatchObject({ id: message.id, deleted: true, body: null, author: { id: ann.id } });
      expect(view.messages[1]).toMatchObject({ deleted: false, body: 'kept' });
    }
    // Deleting again is harmless.
    await as(ctx.strapi, ann).del(`/messages/${message.id}`).expect(204);
  });

  it('shows a deleted last message as an empty excerpt in the inbox', async () => {
    const { thread, message } = await startThread(ctx.strapi, ann, [bob], { body: 'secret' });
    await as(ctx.strapi, ann).del(`/messages/${message.id}`).expect(204);
    const inbox = (await as(ctx.strapi, bob).get('/threads').expect(200)).body.data;
    expect(inbox.find((t: any) => t.id === thread.id).lastMessage).toMatchObject({ id: message.id, excerpt: '', deleted: true });
  });

  it('is a 403 for someone else’s message in a thread one belongs to', async () => {
    const { message } = await startThread(ctx.strapi, ann, [bob], { body: 'mine' });
    const res = await as(ctx.strapi, bob).del(`/messages/${message.id}`).expect(403);
    expect(res.body.error.name).toBe('ForbiddenError');
    const view = (await as(ctx.strapi, ann).get(`/threads/${message.threadId}`).expect(200)).body.data;
    expect(view.messages[0].deleted).toBe(false);
  });

  it('is a 404, not a 403, for a message the caller may not see: a broadcast reply for its author, a blocked author\'s', async () => {
    const role = await createRole(ctx.strapi, `Readers ${Date.now()}`);
    await grant(ctx.strapi, role.id, pluginActions(ctx.strapi).filter((a) => a !== VIEW_DELETED));
    const [author, r1, r2] = await ctx.users(3);
    for (const u of [r1, r2]) await setRole(ctx.strapi, u.id, role.id);
    const { thread } = await startThread(ctx.strapi, author, [], { recipients: [{ type: 'role', id: role.id }] });
    const forAuthor = await reply(ctx.strapi, r1, thread.id, 'only the author reads this');
    const hidden = await as(ctx.strapi, r2).del(`/messages/${forAuthor.id}`).expect(404);
    expect(hidden.body.error.name).toBe('NotFoundError');

    const { thread: group } = await startThread(ctx.strapi, ann, [bob, r2], { subject: 'group' });
    await as(ctx.strapi, r2).post('/blocks', { userId: bob.id }).expect(201);
    const fromBlocked = await reply(ctx.strapi, bob, group.id, 'r2 blocked me');
    await as(ctx.strapi, r2).del(`/messages/${fromBlocked.id}`).expect(404);
    // A message the caller sees but did not write stays a 403; nothing was deleted either way.
    await as(ctx.strapi, ann).del(`/messages/${fromBlocked.id}`).expect(403);
    const view = (await as(ctx.strapi, author).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(view.messages.find((m: any) => m.id === forAuthor.id).deleted).toBe(false);
  });

  it('is a 404 for an unknown message and a 400 for a malformed id', async () => {
    await as(ctx.strapi, ann).del('/messages/abcdefghijklmnopqrstuvwx').expect(404);
    await as(ctx.strapi, ann).del('/messages/123').expect(400);
  });
});

describe('the "view deleted messages" permission', () => {
  it('is a users-permissions action: a role holding it sees deleted bodies, others do not', async () => {
    const moderators = await createRole(ctx.strapi, 'Moderators');
    await grant(ctx.strapi, moderators.id, [...pluginActions(ctx.strapi)]);
    const [ann] = await ctx.users(1);
    const registered = await registerUser(ctx.strapi);
    await setRole(ctx.strapi, registered.id, moderators.id);
    const mod: TestUser = { ...registered, roleId: moderators.id, jwt: await login(ctx.strapi, registered.username) };

    const { thread, message } = await startThread(ctx.strapi, ann, [mod], { body: 'regrettable' });
    await as(ctx.strapi, ann).del(`/messages/${message.id}`).expect(204);

    const modView = (await as(ctx.strapi, mod).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(modView.messages[0]).toMatchObject({ deleted: true, body: 'regrettable' });
    const single = await as(ctx.strapi, mod).get(`/messages/${message.id}/deleted-body`).expect(200);
    expect(single.body.data).toMatchObject({ id: message.id, deleted: true, body: 'regrettable' });

    // The author's role (Authenticated) does not hold the action.
    const annView = (await as(ctx.strapi, ann).get(`/threads/${thread.id}`).expect(200)).body.data;
    expect(annView.messages[0]).toMatchObject({ deleted: true, body: null });
    await as(ctx.strapi, ann).get(`/messages/${message.id}/deleted-body`).expect(403);

    // The setting, when it lists roles, restricts the action further.
    const settings = ctx.strapi.plugin('private-messages').service('settings');
    await settings.update({ viewDeletedRoles: [ann.roleId] });
    try {
      await as(ctx.strapi, mod).get(`/messages/${message.id}/deleted-body`).expect(403);
      const restricted = (await as(ctx.strapi, mod).get(`/threads/${thread.id}`).expect(200)).body.data;
      expect(restricted.messages[0].body).toBeNull();
    } finally {
      await settings.update({ viewDeletedRoles: [] });
    }
  });
});
