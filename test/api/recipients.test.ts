import { as } from '../helpers/api';
import { ADMIN_ACTIONS, asAdmin, createLimitedAdmin } from '../helpers/admin';
import { useStrapi } from '../helpers/setup';
import { createRole, grant, pluginActions, registerUser, roleByType, setRole, type TestUser } from '../helpers/users';

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
    expect(res.body).toEqual({ data: { allowed: true, asRequest: false, reasons: [] } });
  });

  it('explains why not for oneself and for an unknown user', async () => {
    expect((await as(ctx.strapi, ann).get(`/can-message/${ann.id}`).expect(200)).body.data).toEqual({
      allowed: false,
      asRequest: false,
      reasons: [{ code: 'self', message: expect.any(String) }],
    });
    expect((await as(ctx.strapi, ann).get('/can-message/987654').expect(200)).body.data).toEqual({
      allowed: false,
      asRequest: false,
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
      asRequest: false,
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

/*
 * avatarUrl is shown to every user who may write to someone. An admin holding only the
 * settings permissions must not be able to turn it into a window on private attributes (a victim's
 * password reset token, every user's email address), and a value that is not an http(s) URL
 * (javascript:, data:) never goes out.
 */
describe('avatarUrl and the avatarField setting', () => {
  const USER_UID = 'plugin::users-permissions.user';
  const DEFAULT_AVATAR = 'https://www.gravatar.com/avatar/?d=mp'; // the playground's defaultAvatarUrl
  const RESET_TOKEN = 'victim-reset-token-4f1c9e';
  const PRIVATE_FIELDS = ['resetPasswordToken', 'email', 'password', 'confirmationToken'];
  const store = () => ctx.strapi.store({ type: 'plugin', name: 'private-messages' });
  let victim: TestUser;

  beforeAll(async () => {
    victim = await registerUser(ctx.strapi, 'victim_r');
    // What POST /api/auth/forgot-password leaves on the victim's account.
    await ctx.strapi.db.query(USER_UID).update({ where: { id: victim.id }, data: { resetPasswordToken: RESET_TOKEN, confirmationToken: RESET_TOKEN } });
  });

  afterEach(async () => {
    await store().delete({ key: 'settings' });
    ctx.strapi.plugin('private-messages').service('settings').forgetCached();
  });

  const victimAsSeen = async () => {
    const res = await as(ctx.strapi, ann).get('/recipients?q=victim_r').expect(200);
    expect(JSON.stringify(res.body)).not.toMatch(new RegExp(`${RESET_TOKEN}|victim_r@example\\.test|\\$2[aby]\\$`));
    return res.body.data;
  };

  it('an admin with only the settings permissions cannot point it at a private attribute (400, nothing saved)', async () => {
    const admin = await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.settingsRead, ADMIN_ACTIONS.settingsUpdate]);
    for (const field of [...PRIVATE_FIELDS, 'noSuchAttribute', 'blocked', 'role']) {
      const res = await asAdmin(ctx.strapi, admin).put('/settings', { avatarField: field, maxRecipients: 3 });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
      expect(res.body.error.details.errors).toEqual([expect.objectContaining({ path: ['avatarField'], message: expect.any(String) })]);
      expect(await store().get({ key: 'settings' })).toBeNull();
    }
    expect((await asAdmin(ctx.strapi, admin).get('/settings').expect(200)).body.data).toMatchObject({ avatarField: null, maxRecipients: 50 });
    expect(await victimAsSeen()).toEqual([{ type: 'user', id: victim.id, username: 'victim_r', avatarUrl: DEFAULT_AVATAR }]);
  });

  it('a private attribute already in the saved settings (saved before this check) is not published either', async () => {
    for (const field of PRIVATE_FIELDS) {
      await store().set({ key: 'settings', value: { avatarField: field } });
      ctx.strapi.plugin('private-messages').service('settings').forgetCached();
      expect(await victimAsSeen()).toEqual([{ type: 'user', id: victim.id, username: 'victim_r', avatarUrl: DEFAULT_AVATAR }]);
    }
  });

  it('a string attribute: an http(s) URL goes out as it is, any other value gives the default avatar', async () => {
    const role = await roleByType(ctx.strapi, 'authenticated');
    const values = {
      'https://img.example/avtr1.png': 'https://img.example/avtr1.png',
      'javascript:alert(document.cookie)//avtr2': DEFAULT_AVATAR,
      'data:image/svg+xml,<svg onload=alert(1)>avtr3': DEFAULT_AVATAR,
      // Relative: the tests' Strapi has no server.url to make it absolute with.
      '/uploads/avtr4.png': DEFAULT_AVATAR,
      '//evil.example/avtr5.png': DEFAULT_AVATAR,
    };
    const ids: Record<string, number> = {};
    for (const [i, username] of Object.keys(values).entries()) {
      const user = await ctx.strapi.db.query(USER_UID).create({
        data: { username, email: `avtr${i}@example.test`, provider: 'local', confirmed: true, blocked: false, role: role.id },
      });
      ids[username] = user.id;
    }
    // username: a non-private string attribute every user can see anyway.
    await asAdmin(ctx.strapi, await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.settingsUpdate]))
      .put('/settings', { avatarField: 'username' })
      .expect(200);
    const res = await as(ctx.strapi, ann).get('/recipients?q=avtr').expect(200);
    expect(Object.fromEntries(res.body.data.map((u: any) => [u.username, u.avatarUrl]))).toEqual(values);
    expect(res.body.data.map((u: any) => u.id).sort()).toEqual(Object.values(ids).sort());
  });
});
