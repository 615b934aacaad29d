import { as } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { createRole, grant, pluginActions, registerUser, setRole, type TestUser } from '../helpers/users';

const ctx = useStrapi();
let ann: TestUser, bob: TestUser, bobby: TestUser;

beforeAll(async () => {
  ann = await registerUser(ctx.strapi, 'ann_r');
  bob = await registerUser(ctx.strapi, 'bob_r');
  bobby = await registerUser(ctx.strapi, 'BOBBY_r');
});

describe('GET /recipients', () => {
  it('finds users by username, case-insensitively, without the caller', async () => {
    const res = await as(ctx.strapi, ann).get('/recipients?q=bob').expect(200);
    expect(res.body.data).toEqual([
      { type: 'user', id: bobby.id, username: 'BOBBY_r', avatarUrl: expect.any(String) },
      { type: 'user', id: bob.id, username: 'bob_r', avatarUrl: expect.any(String) },
    ]);
    const self = await as(ctx.strapi, ann).get('/recipients?q=ann_r').expect(200);
    expect(self.body.data).toEqual([]);
    expect((await as(ctx.strapi, ann).get('/recipients?q=_r&limit=1').expect(200)).body.data).toHaveLength(1);
  });

  it.each(['', 'q=', `q=${'x'.repeat(101)}`, 'q=bob&limit=0', 'q=bob&limit=51', 'q=bob&role=1'])('is a 400 for ?%s', async (query) => {
    const res = await as(ctx.strapi, ann).get(`/recipients?${query}`).expect(400);
    expect(res.body.error.name).toBe('ValidationError');
  });
});

describe('GET /recipients asks the send gate', () => {
  /** A user named `name` in a new role holding every plugin action but `denied`. */
  const userWithout = async (name: string, denied: string[]) => {
    const role = await createRole(ctx.strapi, `Role ${Math.random().toString(36).slice(2, 8)}`);
    await grant(ctx.strapi, role.id, pluginActions(ctx.strapi).filter((a) => !denied.some((d) => a.endsWith(d))));
    const u = await registerUser(ctx.strapi, name);
    await setRole(ctx.strapi, u.id, role.id);
    return u;
  };
  const found = async (caller: TestUser, q: string) =>
    (await as(ctx.strapi, caller).get(`/recipients?q=${q}`).expect(200)).body.data.map((r: any) => r.username ?? r.name);

  it('lists only users a new thread would reach, by the same rules (and guards) as a send', async () => {
    const ok = await registerUser(ctx.strapi, 'carl_ok');
    const off = await registerUser(ctx.strapi, 'carl_off');
    await as(ctx.strapi, off).put('/preferences', { messagingEnabled: false }).expect(200);
    const blocker = await registerUser(ctx.strapi, 'carl_blocker');
    await as(ctx.strapi, blocker).post('/blocks', { userId: ann.id }).expect(201);
    await userWithout('carl_blind', ['threads.find']);
    // Turned messaging off, then lost the right to change it: not bound by it, so listed.
    const stuck = await userWithout('carl_stuck', ['preferences.update']);
    await ctx.strapi.plugin('private-messages').service('preferences').update(stuck.id, { messagingEnabled: false });
    await registerUser(ctx.strapi, 'carl_away');
    const off_ = ctx.strapi
      .plugin('private-messages')
      .service('guards')
      .register('away', ({ recipients }: any) =>
        recipients.filter((r: any) => r.id !== ok.id && r.id !== stuck.id).map((r: any) => ({ recipient: r, code: 'away', message: 'Away' }))
      );
    try {
      expect(await found(ann, 'carl_')).toEqual(['carl_ok', 'carl_stuck']);
    } finally {
      off_();
    }
    expect(await found(ann, 'carl_')).toEqual(['carl_away', 'carl_ok', 'carl_stuck']);
    expect((await as(ctx.strapi, ann).get(`/can-message/${off.id}`).expect(200)).body.data.allowed).toBe(false);
  });

  it('lists nobody, and no role, to a caller who may not start threads', async () => {
    await createRole(ctx.strapi, 'carl_role');
    const mute = await userWithout('dora_mute', ['threads.create']);
    expect(await found(mute, 'carl_')).toEqual([]);
    expect(await found(bob, 'carl_')).toEqual(expect.arrayContaining(['carl_role']));
  });
});

describe('GET /can-message/:userId', () => {
  it('allows an existing other user', async () => {
    const res = await as(ctx.strapi, ann).get(`/can-message/${bob.id}`).expect(200);
    expect(res.body).toEqual({ data: { allowed: true, reasons: [] } });
  });

  it('explains why not for oneself and for an unknown user', async () => {
    expect((await as(ctx.strapi, ann).get(`/can-message/${ann.id}`).expect(200)).body.data).toEqual({
      allowed: false,
      reasons: [{ code: 'self', message: expect.any(String) }],
    });
    expect((await as(ctx.strapi, ann).get('/can-message/987654').expect(200)).body.data).toEqual({
      allowed: false,
      reasons: [{ code: 'unknown_recipient', message: expect.any(String) }],
    });
  });

  it('no_permission: a caller whose role may not start threads, as POST /threads answers', async () => {
    const role = await createRole(ctx.strapi, 'No new threads');
    await grant(ctx.strapi, role.id, pluginActions(ctx.strapi).filter((a) => !a.endsWith('threads.create')));
    const mute = await registerUser(ctx.strapi);
    await setRole(ctx.strapi, mute.id, role.id);
    expect((await as(ctx.strapi, mute).get(`/can-message/${bob.id}`).expect(200)).body.data).toEqual({
      allowed: false,
      reasons: [{ code: 'no_permission', message: expect.any(String) }],
    });
    await as(ctx.strapi, mute).post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'hi' }).expect(403);
  });

  it('agrees with what a send actually does', async () => {
    for (const target of [bob.id, ann.id, 987654]) {
      const verdict = (await as(ctx.strapi, ann).get(`/can-message/${target}`).expect(200)).body.data;
      const send = await as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: target }], body: 'hi' });
      expect(send.status).toBe(verdict.allowed ? 201 : 403);
      if (!verdict.allowed) expect(send.body.error.details.refused.map((r: any) => r.code)).toEqual(verdict.reasons.map((r: any) => r.code));
    }
  });

  it.each(['abc', '0', '-3', '1.5', '99999999999'])('is a 400 for user id %s', async (id) => {
    await as(ctx.strapi, ann).get(`/can-message/${id}`).expect(400);
  });
});
