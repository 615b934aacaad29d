import { as } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { createRole } from '../helpers/users';

/*
 * Threads bigger than one delivery chunk: memberships are written in chunks with the event loop
 * free in between, lists show a bounded number of participants, and every count stays exact.
 */
const ctx = useStrapi();
const MEMBERS = 320; // more than DELIVERY_CHUNK (100)

const countsOf = async (threadId: number) =>
  ctx.strapi.db
    .connection('pm_memberships')
    .select('user_id', 'unread_count', 'message_count', 'last_read_message_id')
    .where('thread_id', threadId)
    .orderBy('user_id');

describe('a thread with hundreds of members', () => {
  it('is written in chunks, lists 10 participants with the total, and keeps exact counts', async () => {
    const [author] = await ctx.users(1);
    const crowd = await createRole(ctx.strapi, 'Crowd');
    const ids: number[] = [];
    for (let i = 0; i < MEMBERS; i += 1) {
      const u = await ctx.strapi.db.query('plugin::users-permissions.user').create({
        data: { username: `crowd${i}`, email: `crowd${i}@example.test`, provider: 'local', confirmed: true, blocked: false, role: crowd.id },
      });
      ids.push(u.id);
    }
    const messaging = ctx.strapi.plugin('private-messages').service('messaging');
    const sent = await as(ctx.strapi, author).post('/threads', { recipients: [{ type: 'role', id: crowd.id }], subject: 'All', body: 'Hello all' }).expect(201);
    const thread = sent.body.data.thread;
    expect(thread.participantCount).toBe(MEMBERS + 1);
    expect(thread.participants.length).toBeLessThanOrEqual(100);

    // A reply from a member goes through the chunked delivery.
    await messaging.reply({ author: ids[5], threadId: thread.id, body: 'hi' });
    await messaging.reply({ author: ids[300], threadId: thread.id, body: 'hi again' });

    const inbox = (await as(ctx.strapi, author).get('/threads').expect(200)).body.data;
    expect(inbox[0]).toMatchObject({ id: thread.id, participantCount: MEMBERS + 1, unreadCount: 2, messageCount: 3 });
    expect(inbox[0].participants).toHaveLength(10);

    const [{ id: internalId }] = await ctx.strapi.db.connection('pm_threads').select('id').where('document_id', thread.id);
    const before = await countsOf(internalId);
    const { recountMemberships } = require('../../server/src/repositories/memberships');
    await recountMemberships(ctx.strapi.db.connection, [internalId]);
    expect(await countsOf(internalId)).toEqual(before);
    const byUser = new Map(before.map((r: any) => [Number(r.user_id), Number(r.unread_count)]));
    expect(byUser.get(ids[5])).toBe(1);
    expect(byUser.get(ids[300])).toBe(0);
    expect(byUser.get(ids[100])).toBe(3);
  }, 120_000);
});
