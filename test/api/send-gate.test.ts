import { as, reply, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { statementsDuring } from '../helpers/statements';
import { createRole, grant, pluginActions, registerUser, setRole, type TestUser } from '../helpers/users';

const ctx = useStrapi();
const settings = () => ctx.strapi.plugin('private-messages').service('settings');
const guards = () => ctx.strapi.plugin('private-messages').service('guards');
const messaging = () => ctx.strapi.plugin('private-messages').service('messaging');

/** A registered user moved into `roleId` (their JWT stays valid: the role is read on each request). */
const userInRole = async (roleId: number): Promise<TestUser> => {
  const u = await registerUser(ctx.strapi);
  await setRole(ctx.strapi, u.id, roleId);
  return { ...u, roleId };
};

/** A role holding every plugin action but `denied`, and a user in it. */
const userWithout = async (denied: string[]) => {
  const role = await createRole(ctx.strapi, `Without ${denied.join(' ')} ${Math.random().toString(36).slice(2, 6)}`);
  await grant(ctx.strapi, role.id, pluginActions(ctx.strapi).filter((a) => !denied.some((d) => a.endsWith(d))));
  return userInRole(role.id);
};

const send = (from: TestUser, recipients: object[], extra: object = {}) =>
  as(ctx.strapi, from).post('/threads', { recipients, body: 'Hello', ...extra });
const codesOf = (res: { body: any }) => res.body.error.details.refused.map((r: any) => r.code);

describe('refusal codes', () => {
  it('role_not_allowed: the sender’s role is not among the roles allowed to send', async () => {
    const writers = await createRole(ctx.strapi, 'Writers');
    await grant(ctx.strapi, writers.id, pluginActions(ctx.strapi));
    const [ann, bob] = await ctx.users(2);
    const writer = await userInRole(writers.id);
    await settings().update({ allowedSenderRoles: [writers.id] });
    try {
      expect(codesOf(await send(ann, [{ type: 'user', id: bob.id }]).expect(403))).toEqual(['role_not_allowed']);
      await send(writer, [{ type: 'user', id: bob.id }]).expect(201);
      expect((await as(ctx.strapi, ann).get(`/can-message/${bob.id}`).expect(200)).body.data.reasons[0].code).toBe('role_not_allowed');
    } finally {
      await settings().update({ allowedSenderRoles: [] });
    }
  });

  it('sender_disabled and recipient_disabled: messaging turned off in the preferences', async () => {
    const [ann, bob] = await ctx.users(2);
    await as(ctx.strapi, bob).put('/preferences', { messagingEnabled: false }).expect(200);
    expect(codesOf(await send(ann, [{ type: 'user', id: bob.id }]).expect(403))).toEqual(['recipient_disabled']);
    expect(codesOf(await send(bob, [{ type: 'user', id: ann.id }]).expect(403))).toEqual(['sender_disabled']);
    await as(ctx.strapi, bob).put('/preferences', { messagingEnabled: true }).expect(200);
    await send(ann, [{ type: 'user', id: bob.id }]).expect(201);
  });

  it('every reason at once, for can-message and for the send', async () => {
    const [ann, bob] = await ctx.users(2);
    await as(ctx.strapi, bob).put('/preferences', { messagingEnabled: false }).expect(200);
    await as(ctx.strapi, bob).post('/blocks', { userId: ann.id }).expect(201);
    const verdict = (await as(ctx.strapi, ann).get(`/can-message/${bob.id}`).expect(200)).body.data;
    expect(verdict.reasons.map((r: any) => r.code)).toEqual(['recipient_disabled', 'blocked']);
    expect(codesOf(await send(ann, [{ type: 'user', id: bob.id }]).expect(403))).toEqual(['recipient_disabled', 'blocked']);
  });

  it('max_recipients: more recipients listed than the setting allows', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    await settings().update({ maxRecipients: 1 });
    try {
      const res = await send(ann, [bob, cat].map((u) => ({ type: 'user', id: u.id }))).expect(403);
      expect(res.body.error.details).toMatchObject({ code: 'max_recipients', limit: 1 });
    } finally {
      await settings().update({ maxRecipients: 50 });
    }
  });
});

describe('guards registered by other code', () => {
  it('refuse per recipient with their own code, for sends, replies and can-message', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const seen: any[] = [];
    const off = guards().register('no-cat', async ({ author, recipients, context }: any) => {
      seen.push({ author: author.id, recipients: recipients.map((r: any) => r.id).sort(), context });
      return recipients.filter((r: any) => r.id === cat.id).map((r: any) => ({ recipient: r, code: 'cat_is_away', message: 'Cat is away' }));
    });
    try {
      const res = await send(ann, [bob, cat].map((u) => ({ type: 'user', id: u.id }))).expect(403);
      expect(res.body.error.details.refused).toEqual([{ recipient: { type: 'user', id: cat.id }, code: 'cat_is_away', message: 'Cat is away' }]);
      const skipped = await send(ann, [bob, cat].map((u) => ({ type: 'user', id: u.id })), { skipRefused: true }).expect(201);
      expect(skipped.body.meta.refused.map((r: any) => r.code)).toEqual(['cat_is_away']);
      expect((await as(ctx.strapi, ann).get(`/can-message/${cat.id}`).expect(200)).body.data.reasons).toEqual([
        { code: 'cat_is_away', message: 'Cat is away' },
      ]);
      // Replies: the guard sees the thread.
      const group = await messaging().send({ author: ann.id, recipients: [bob.id, cat.id], body: 'x' }, { bypassRules: true });
      const replyRes = await as(ctx.strapi, bob).post(`/threads/${group.thread.id}/messages`, { body: 'hi all' }).expect(403);
      expect(codesOf(replyRes)).toEqual(['cat_is_away']);
      expect(seen.at(-1)).toEqual({ author: bob.id, recipients: [ann.id, cat.id].sort(), context: { threadId: group.thread.id } });
    } finally {
      off();
    }
    expect(guards().list()).not.toContain('no-cat');
  });

  it('fail closed: a guard that throws refuses, and the error is logged', async () => {
    const [ann, bob] = await ctx.users(2);
    const logged: string[] = [];
    const originalError = ctx.strapi.log.error;
    ctx.strapi.log.error = ((msg: string) => logged.push(String(msg))) as any;
    guards().register('broken', () => {
      throw new Error('database down');
    });
    try {
      const res = await send(ann, [{ type: 'user', id: bob.id }]).expect(403);
      expect(codesOf(res)).toEqual(['guard_failed']);
      expect(logged.some((l) => l.includes('broken') && l.includes('database down'))).toBe(true);
    } finally {
      guards().unregister('broken');
      ctx.strapi.log.error = originalError;
    }
    await send(ann, [{ type: 'user', id: bob.id }]).expect(201);
  });
});

describe('the per-user rate limit', () => {
  it('is a 429 with Retry-After once the window is full, counted in the database', async () => {
    const [ann, bob] = await ctx.users(2);
    await settings().update({ rateLimit: { max: 3, windowSeconds: 600 } });
    try {
      const { thread } = await startThread(ctx.strapi, ann, [bob]);
      await reply(ctx.strapi, ann, thread.id, 'two');
      await reply(ctx.strapi, ann, thread.id, 'three');
      const res = await as(ctx.strapi, ann).post(`/threads/${thread.id}/messages`, { body: 'four' }).expect(429);
      expect(res.body.error).toMatchObject({ status: 429, name: 'RateLimitError', details: { code: 'rate_limited' } });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(500);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(600);
      await send(ann, [{ type: 'user', id: bob.id }]).expect(429);
      // Others are not affected; system messages are not limited.
      await reply(ctx.strapi, bob, thread.id, 'bob is fine');
      await messaging().reply({ author: ann.id, threadId: thread.id, body: 'system' }, { bypassRules: true });
    } finally {
      await settings().update({ rateLimit: { max: 30, windowSeconds: 60 } });
    }
  });

  /*
   * Counting then inserting lets every concurrent send count the same window; the count has to be
   * taken inside the write, behind a per-author lock. 50 at once, and a slow guard (one that asks
   * another service, say) between the checks and the write, so that every request would count
   * before any commits if nothing serialized them, on SQLite's single connection too.
   */
  const withSlowGuard = async (run: () => Promise<void>) => {
    const off = guards().register('slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return [];
    });
    try {
      await run();
    } finally {
      off();
    }
  };
  const storedBy = async (authorId: number) =>
    Number((await ctx.strapi.db.connection('pm_messages').where('author_id', authorId).count({ n: '*' }).first())?.n);
  const expectTenStored = async (authorId: number, responses: { status: number; headers: any; body: any }[]) => {
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    for (const res of responses.filter((r) => r.status === 429)) {
      expect(res.body).toMatchObject({ data: null, error: { status: 429, name: 'RateLimitError', details: { code: 'rate_limited' } } });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(600);
    }
  };

  it('holds under concurrency: 50 simultaneous new threads store exactly the limit, the rest are 429s', async () => {
    const [ann, bob] = await ctx.users(2);
    await settings().update({ rateLimit: { max: 10, windowSeconds: 600 } });
    try {
      await withSlowGuard(async () => {
        const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => send(ann, [{ type: 'user', id: bob.id }], { body: `n${i}` })));
        await expectTenStored(ann.id, responses);
      });
      expect(await storedBy(ann.id)).toBe(10);
    } finally {
      await settings().update({ rateLimit: { max: 30, windowSeconds: 60 } });
    }
  });

  it('holds under concurrency for replies too', async () => {
    const [ann, bob] = await ctx.users(2);
    // Started by bob, so that ann's window is empty.
    const { thread } = await messaging().send({ author: bob.id, recipients: [ann.id], body: 'x' }, { bypassRules: true });
    await settings().update({ rateLimit: { max: 10, windowSeconds: 600 } });
    try {
      await withSlowGuard(async () => {
        const responses = await Promise.all(
          Array.from({ length: 50 }, (_, i) => as(ctx.strapi, ann).post(`/threads/${thread.id}/messages`, { body: `r${i}` }))
        );
        await expectTenStored(ann.id, responses);
      });
      expect(await storedBy(ann.id)).toBe(10);
    } finally {
      await settings().update({ rateLimit: { max: 30, windowSeconds: 60 } });
    }
  });
});

describe('writing to a role', () => {
  it('needs the role-sending permission (role_send_not_allowed) and an existing role', async () => {
    const ann = await userWithout(['role-recipients.find']);
    const club = await createRole(ctx.strapi, 'Club A');
    const unknown = await send(ann, [{ type: 'role', id: 99_999 }]).expect(403);
    expect(codesOf(unknown)).toEqual(['unknown_recipient']);
    const res = await send(ann, [{ type: 'role', id: club.id }]).expect(403);
    expect(res.body.error.details.refused).toEqual([
      { recipient: { type: 'role', id: club.id }, code: 'role_send_not_allowed', message: expect.any(String) },
    ]);
    expect((await as(ctx.strapi, ann).get('/role-recipients').expect(403)).body.data).toBeNull();
  });

  it('makes every user of the role a member, the sender excluded, skipping and listing refused users', async () => {
    const announcers = await createRole(ctx.strapi, 'Announcers');
    await grant(ctx.strapi, announcers.id, pluginActions(ctx.strapi));
    const boss = await userInRole(announcers.id);
    const team = await createRole(ctx.strapi, 'Team B');
    const members: TestUser[] = [];
    for (let i = 0; i < 5; i += 1) members.push(await userInRole(team.id));
    await setRole(ctx.strapi, boss.id, announcers.id);
    // One member turned messaging off, one blocked the boss.
    await grant(ctx.strapi, team.id, pluginActions(ctx.strapi));
    await as(ctx.strapi, members[0]).put('/preferences', { messagingEnabled: false }).expect(200);
    await as(ctx.strapi, members[1]).post('/blocks', { userId: boss.id }).expect(201);

    expect((await as(ctx.strapi, boss).get('/role-recipients').expect(200)).body.data).toEqual(
      expect.arrayContaining([{ id: team.id, name: 'Team B' }])
    );
    const res = await send(boss, [{ type: 'role', id: team.id }], { subject: 'All hands' }).expect(201);
    expect(res.body.data.thread.participants.map((p: any) => p.id).sort()).toEqual([boss.id, ...members.slice(2).map((m) => m.id)].sort());
    expect(res.body.data.thread.isGroup).toBe(true);
    expect(res.body.meta.refused).toEqual(
      expect.arrayContaining([
        { recipient: { type: 'user', id: members[0].id }, code: 'recipient_disabled', message: expect.any(String) },
        { recipient: { type: 'user', id: members[1].id }, code: 'blocked', message: expect.any(String) },
      ])
    );
    for (const m of members.slice(2)) {
      expect((await as(ctx.strapi, m).get('/unread-count').expect(200)).body.data).toEqual({ threads: 1, messages: 1, requests: 0 });
    }
    await as(ctx.strapi, members[0]).get(`/threads/${res.body.data.thread.id}`).expect(404);
  });

  it('lists writable roles in the recipient search only for callers allowed to write to roles', async () => {
    const squad = await createRole(ctx.strapi, 'Searchable squad');
    const denied = await userWithout(['role-recipients.find']);
    expect((await as(ctx.strapi, denied).get('/recipients?q=squad').expect(200)).body.data).toEqual([]);
    const [allowed] = await ctx.users(1);
    expect((await as(ctx.strapi, allowed).get('/recipients?q=squad').expect(200)).body.data).toEqual([
      { type: 'role', id: squad.id, name: 'Searchable squad' },
    ]);
  });

  it('is a 403 when the role has nobody to receive it', async () => {
    const [ann] = await ctx.users(1);
    const empty = await createRole(ctx.strapi, 'Empty role');
    const res = await send(ann, [{ type: 'role', id: empty.id }]).expect(403);
    expect(res.body.error).toMatchObject({ message: 'Nobody can receive this message', details: { refused: [] } });
  });
});

describe('the seven permissions of privatemsg', () => {
  it('write and view messages: without threads.create one cannot start a thread, without threads.find no inbox', async () => {
    const [bob] = await ctx.users(1);
    const noWrite = await userWithout(['threads.create']);
    await send(noWrite, [{ type: 'user', id: bob.id }]).expect(403);
    await as(ctx.strapi, noWrite).get('/threads').expect(200);
    const noView = await userWithout(['threads.find']);
    await as(ctx.strapi, noView).get('/threads').expect(403);
    await send(noView, [{ type: 'user', id: bob.id }]).expect(201);
  });

  it('delete own messages: messages.remove', async () => {
    const [bob] = await ctx.users(1);
    const user = await userWithout(['messages.remove']);
    const { message } = await startThread(ctx.strapi, user, [bob]);
    await as(ctx.strapi, user).del(`/messages/${message.id}`).expect(403);
    const view = (await as(ctx.strapi, user).get(`/threads/${message.threadId}`).expect(200)).body.data;
    expect(view.messages[0].deleted).toBe(false);
  });

  it('block users: blocks.*', async () => {
    const [bob] = await ctx.users(1);
    const user = await userWithout(['blocks.create', 'blocks.find', 'blocks.delete']);
    await as(ctx.strapi, user).post('/blocks', { userId: bob.id }).expect(403);
    await as(ctx.strapi, user).get('/blocks').expect(403);
    await send(user, [{ type: 'user', id: bob.id }]).expect(201);
  });

  it('send to roles: role-recipients.find', async () => {
    const target = await createRole(ctx.strapi, 'Targets');
    await grant(ctx.strapi, target.id, pluginActions(ctx.strapi)); // its users may read what they get
    await userInRole(target.id);
    const allowed = await userWithout([]);
    const denied = await userWithout(['role-recipients.find']);
    await send(allowed, [{ type: 'role', id: target.id }]).expect(201);
    expect(codesOf(await send(denied, [{ type: 'role', id: target.id }]).expect(403))).toEqual(['role_send_not_allowed']);
  });

  it('view deleted messages: deleted-message.view', async () => {
    const [ann] = await ctx.users(1);
    const viewer = await userWithout([]);
    const blind = await userWithout(['deleted-message.view']);
    const { thread, message } = await startThread(ctx.strapi, ann, [viewer, blind], { body: 'gone soon' });
    await as(ctx.strapi, ann).del(`/messages/${message.id}`).expect(204);
    expect((await as(ctx.strapi, viewer).get(`/threads/${thread.id}`).expect(200)).body.data.messages[0].body).toBe('gone soon');
    expect((await as(ctx.strapi, blind).get(`/threads/${thread.id}`).expect(200)).body.data.messages[0].body).toBeNull();
  });
});

describe('permissions the rules read from users-permissions roles', () => {
  const preferences = () => ctx.strapi.plugin('private-messages').service('preferences');
  const canMessage = async (from: TestUser, to: TestUser) =>
    (await as(ctx.strapi, from).get(`/can-message/${to.id}`).expect(200)).body.data;

  it('no_permission: can-message answers what POST /threads does for a caller whose role may not start threads', async () => {
    const [bob] = await ctx.users(1);
    const noWrite = await userWithout(['threads.create']);
    expect(await canMessage(noWrite, bob)).toEqual({ allowed: false, asRequest: false, reasons: [{ code: 'no_permission', message: expect.any(String) }] });
    await send(noWrite, [{ type: 'user', id: bob.id }]).expect(403);
    // The programmatic API applies the same rule (unless it bypasses them).
    await expect(messaging().send({ author: noWrite.id, recipients: [bob.id], body: 'x' })).rejects.toMatchObject({
      details: { refused: [{ recipient: { type: 'user', id: bob.id }, code: 'no_permission', message: expect.any(String) }] },
    });
    await messaging().send({ author: noWrite.id, recipients: [bob.id], body: 'x' }, { bypassRules: true });
  });

  it('recipient_cannot_read: a recipient whose role lacks threads.find is refused, and skipped in role messages', async () => {
    const [ann, bob] = await ctx.users(2);
    const blind = await userWithout(['threads.find']);
    expect(codesOf(await send(ann, [{ type: 'user', id: blind.id }]).expect(403))).toEqual(['recipient_cannot_read']);
    expect((await canMessage(ann, blind)).reasons.map((r: any) => r.code)).toEqual(['recipient_cannot_read']);
    const partial = await send(ann, [blind, bob].map((u) => ({ type: 'user', id: u.id })), { skipRefused: true }).expect(201);
    expect(partial.body.meta.refused.map((r: any) => r.code)).toEqual(['recipient_cannot_read']);

    const readers = await createRole(ctx.strapi, 'Readers');
    await grant(ctx.strapi, readers.id, pluginActions(ctx.strapi));
    const nonReaders = await createRole(ctx.strapi, 'Non-readers');
    await grant(ctx.strapi, nonReaders.id, pluginActions(ctx.strapi).filter((a) => !a.endsWith('threads.find')));
    const reader = await userInRole(readers.id);
    const others = [await userInRole(nonReaders.id), await userInRole(nonReaders.id)];
    const res = await send(ann, [readers, nonReaders].map((r) => ({ type: 'role', id: r.id }))).expect(201);
    expect(res.body.meta.refused).toEqual(
      expect.arrayContaining(others.map((o) => ({ recipient: { type: 'user', id: o.id }, code: 'recipient_cannot_read', message: expect.any(String) })))
    );
    expect(res.body.meta.refused).toHaveLength(2);
    expect((await as(ctx.strapi, reader).get('/unread-count').expect(200)).body.data).toEqual({ threads: 1, messages: 1, requests: 0 });
    // A role nobody of which can read: nobody receives it.
    const none = await send(ann, [{ type: 'role', id: nonReaders.id }]).expect(403);
    expect(codesOf(none)).toEqual(['recipient_cannot_read', 'recipient_cannot_read']);
  });

  it('reads the grants of every recipient role in one query, never one per recipient', async () => {
    const [ann] = await ctx.users(1);
    const recipients: TestUser[] = [];
    for (let i = 0; i < 5; i += 1) recipients.push(await userWithout([]));
    await userWithout([]); // a role of its own for each of them, and one more
    const statements = await statementsDuring(ctx.strapi.db.connection, async () => {
      const verdict = await messaging().canSend({ author: ann.id, recipients: recipients.map((r) => r.id) });
      expect(verdict).toMatchObject({ allowed: true, refused: [] });
    });
    const sql = statements.map((q) => q.sql);
    // One for the sender's role, one for the five recipients' roles.
    expect(sql.filter((q) => /up_permissions/.test(q))).toHaveLength(2);
  });

  it('sender_disabled and recipient_disabled count only while the role may change the setting (preferences.update)', async () => {
    const [ann] = await ctx.users(1);
    const stuck = await userWithout(['preferences.update']);
    // Turned off before the role lost the action (set here through the service: the route is closed to them).
    await preferences().update(stuck.id, { messagingEnabled: false });
    expect(await canMessage(ann, stuck)).toEqual({ allowed: true, asRequest: false, reasons: [] });
    expect(await canMessage(stuck, ann)).toEqual({ allowed: true, asRequest: false, reasons: [] });
    await send(ann, [{ type: 'user', id: stuck.id }]).expect(201);
    await send(stuck, [{ type: 'user', id: ann.id }]).expect(201);

    // Off by default: users who may change it and never did are off; the others are not bound.
    await settings().update({ messagingEnabledByDefault: false });
    try {
      const [cat] = await ctx.users(1);
      const free = await userWithout(['preferences.update']);
      expect((await canMessage(ann, cat)).reasons.map((r: any) => r.code)).toEqual(['sender_disabled', 'recipient_disabled']);
      await as(ctx.strapi, ann).put('/preferences', { messagingEnabled: true }).expect(200);
      expect((await canMessage(ann, cat)).reasons.map((r: any) => r.code)).toEqual(['recipient_disabled']);
      expect(await canMessage(ann, free)).toEqual({ allowed: true, asRequest: false, reasons: [] });
    } finally {
      await settings().update({ messagingEnabledByDefault: true });
    }

    // Given the action back, their choice counts again.
    await grant(ctx.strapi, stuck.roleId, ['plugin::private-messages.preferences.update']);
    expect((await canMessage(ann, stuck)).reasons.map((r: any) => r.code)).toEqual(['recipient_disabled']);
    expect((await canMessage(stuck, ann)).reasons.map((r: any) => r.code)).toEqual(['sender_disabled']);
  });
});
