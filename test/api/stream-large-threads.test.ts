import { unreadCount } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { listen, openStream, streamIdle } from '../helpers/sse';

/*
 * A reply to a thread of more than 100 members reaches them through the outbox worker, after the
 * reply commits: the stream tells them once it did, so the unread count it sends then is the one
 * GET /unread-count answers (and the count never runs ahead of REST).
 */
const ctx = useStrapi();
const CROWD = 110;

it('tells a big thread\'s members of a reply once the outbox delivered it, with the REST unread count', async () => {
  const outbox = ctx.strapi.plugin('private-messages').service('outbox');
  const messaging = ctx.strapi.plugin('private-messages').service('messaging');
  // Deliveries run when this test drains the outbox.
  await outbox.stop();
  const [author, reader] = await ctx.users(2);
  const role = await ctx.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  const crowd: number[] = [];
  for (let i = 0; i < CROWD; i += 1) {
    const u = await ctx.strapi.db.query('plugin::users-permissions.user').create({
      data: { username: `crowd${i}`, email: `crowd${i}@example.test`, provider: 'local', confirmed: true, blocked: false, role: role.id },
    });
    crowd.push(u.id);
  }
  const { thread } = await messaging.send({ author: author.id, recipients: [reader.id, ...crowd], subject: 'All', body: 'Hello all' }, { bypassRules: true });
  await outbox.drain();

  const base = await listen(ctx.strapi);
  const stream = await openStream(base, { jwt: reader.jwt });
  try {
    expect((await stream.next((e) => e.event === 'unread-count')).data).toEqual({ threads: 1, messages: 1, requests: 0 });
    const mark = stream.events.length;
    const message = await messaging.reply({ author: crowd[7], threadId: thread.id, body: 'from the crowd' });
    await streamIdle(ctx.strapi);
    expect(stream.since(mark, 'message.created')).toEqual([]);
    expect(await unreadCount(ctx.strapi, reader)).toEqual({ threads: 1, messages: 1 });

    await outbox.drain();
    expect((await stream.next((e) => e.event === 'message.created')).data).toEqual({ threadId: thread.id, messageId: message.id });
    expect((await stream.next((e) => e.event === 'unread-count' && e.data.messages === 2)).data).toEqual({ ...(await unreadCount(ctx.strapi, reader)), requests: 0 });
  } finally {
    stream.close();
  }
}, 120_000);
