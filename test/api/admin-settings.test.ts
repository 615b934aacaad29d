import request from 'supertest';
import { as, startThread } from '../helpers/api';
import { ADMIN_ACTIONS, asAdmin, createLimitedAdmin, createSuperAdmin, type TestAdmin } from '../helpers/admin';
import { useStrapi } from '../helpers/setup';
import type { TestUser } from '../helpers/users';
import { defaultConfig } from '../../server/src/config/defaults';
import { expectValidationError } from '../helpers/assertions';

const ctx = useStrapi();
let ann: TestUser, bob: TestUser, cat: TestUser;
let superAdmin: TestAdmin;

/** What the playground's config/plugins.ts sets on top of the plugin's defaults. */
const PLAYGROUND_AVATAR = 'https://www.gravatar.com/avatar/?d=mp';
/** The custom fields the playground declares, listed read-only with the settings. */
const PLAYGROUND_FIELDS = {
  thread: { orderId: { type: 'string', maxLength: 64 } },
  message: { priority: { type: 'enumeration', enum: ['low', 'normal', 'high'] } },
};
/** The content types the playground lets members ask about, listed read-only with the settings. */
const PLAYGROUND_CONTEXTS = {
  'api::listing.listing': { ownerField: 'seller', titleField: 'title', urlTemplate: 'http://localhost:1337/messages/?listing={documentId}' },
};
const DEFAULTS = { ...defaultConfig, defaultAvatarUrl: PLAYGROUND_AVATAR, fields: PLAYGROUND_FIELDS, contexts: PLAYGROUND_CONTEXTS };

/** Every setting the contract's "Admin API and panel" section lists, by its name in the API. */
const CONTRACT_SETTINGS = [
  'allowedSenderRoles', // roles allowed to send
  'roleWritingRoles', // roles allowed to write to roles
  'unblockableRoles',
  'viewDeletedRoles', // roles that may view deleted messages
  'purgeDeletedAfterDays', // 0: never
  'formats', // text formats and their allowed HTML
  'enabledFormats',
  'defaultFormat',
  'maxRecipients',
  'rateLimit', // per-user rate limit
  'emailNotificationsDefault',
  'threadUrlTemplate', // front-end URL template, {threadId}
  'defaultAvatarUrl',
  'avatarField', // the user field that holds avatars
];

const store = () => ctx.strapi.store({ type: 'plugin', name: 'private-messages' });
const savedSettings = () => store().get({ key: 'settings' });

beforeAll(async () => {
  [ann, bob, cat] = await ctx.users(3);
  superAdmin = await createSuperAdmin(ctx.strapi);
});

afterEach(async () => {
  await store().delete({ key: 'settings' });
  ctx.strapi.plugin('private-messages').service('settings').forgetCached();
});

describe('GET /private-messages/settings', () => {
  it('answers every setting of the contract, with the defaults when nothing was saved', async () => {
    const res = await asAdmin(ctx.strapi, superAdmin).get('/settings').expect(200);
    for (const key of CONTRACT_SETTINGS) expect(res.body.data).toHaveProperty(key);
    expect(res.body.data).toEqual(DEFAULTS);
    expect(res.body.data.purgeDeletedAfterDays).toBe(30);
    expect(res.body.data.formats.basic_html.allowedTags).toContain('strong');
  });

  it('refuses an unknown query key', async () => {
    expectValidationError(await asAdmin(ctx.strapi, superAdmin).get('/settings?colour=red'), ['colour']);
  });

  it('reads the store itself, while the rules reuse their last read until a save (another instance writing the store)', async () => {
    const settings = ctx.strapi.plugin('private-messages').service('settings');
    expect((await settings.get()).maxRecipients).toBe(DEFAULTS.maxRecipients);
    await store().set({ key: 'settings', value: { maxRecipients: 7 } });
    const res = await asAdmin(ctx.strapi, superAdmin).get('/settings').expect(200);
    expect(res.body.data.maxRecipients).toBe(7);
    await store().set({ key: 'settings', value: { maxRecipients: 8 } });
    expect((await settings.get()).maxRecipients).toBe(7);
    settings.forgetCached();
    expect((await settings.get()).maxRecipients).toBe(8);
  });
});

describe('GET /private-messages/roles', () => {
  it('lists the users-permissions roles for the role pickers, to admins who may read the settings', async () => {
    const res = await asAdmin(ctx.strapi, superAdmin).get('/roles').expect(200);
    expect(res.body.data.map((r: any) => r.type)).toEqual(expect.arrayContaining(['authenticated', 'public']));
    expect(res.body.data[0]).toEqual({ id: expect.any(Number), name: expect.any(String), type: expect.any(String), description: expect.any(String) });
    const reader = await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.settingsRead]);
    await asAdmin(ctx.strapi, reader).get('/roles').expect(200);
    const moderator = await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.reportsManage]);
    await asAdmin(ctx.strapi, moderator).get('/roles').expect(403);
    await asAdmin(ctx.strapi, null).get('/roles').expect(401);
  });
});

describe('PUT /private-messages/settings', () => {
  it('saves a subset, answers the whole resolved settings, and GET shows them', async () => {
    const changes = {
      maxRecipients: 7,
      purgeDeletedAfterDays: 0,
      rateLimit: { max: 5, windowSeconds: 10 },
      allowedSenderRoles: [ann.roleId],
      emailNotificationsDefault: 'every',
      threadUrlTemplate: 'https://site.test/inbox/{threadId}',
      avatarField: 'username', // a non-private string attribute of the users-permissions user
      defaultAvatarUrl: null,
    };
    const put = await asAdmin(ctx.strapi, superAdmin).put('/settings', changes).expect(200);
    expect(put.body.data).toEqual({ ...DEFAULTS, ...changes });

    const get = await asAdmin(ctx.strapi, superAdmin).get('/settings').expect(200);
    expect(get.body.data).toEqual({ ...DEFAULTS, ...changes });

    // A later subset keeps what was saved before.
    await asAdmin(ctx.strapi, superAdmin).put('/settings', { maxRecipients: 9 }).expect(200);
    const again = await asAdmin(ctx.strapi, superAdmin).get('/settings').expect(200);
    expect(again.body.data).toEqual({ ...DEFAULTS, ...changes, maxRecipients: 9 });
  });

  it('an empty body changes nothing', async () => {
    const res = await asAdmin(ctx.strapi, superAdmin).put('/settings', {}).expect(200);
    expect(res.body.data).toEqual(DEFAULTS);
  });

  it('the next send applies a saved maxRecipients', async () => {
    await asAdmin(ctx.strapi, superAdmin).put('/settings', { maxRecipients: 1 }).expect(200);
    const before = await ctx.strapi.db.query('plugin::private-messages.message').count();
    const res = await as(ctx.strapi, ann)
      .post('/threads', { recipients: [bob, cat].map((u) => ({ type: 'user', id: u.id })), body: 'Two of you' })
      .expect(403);
    expect(res.body.error.name).toBe('ForbiddenError');
    expect(res.body.error.details.code).toBe('max_recipients');
    expect(res.body.error.message).toBe('A message can have at most 1 recipient');
    expect(await ctx.strapi.db.query('plugin::private-messages.message').count()).toBe(before);
    // One recipient is still fine.
    await startThread(ctx.strapi, ann, [bob]);

    await asAdmin(ctx.strapi, superAdmin).put('/settings', { maxRecipients: 2 }).expect(200);
    await startThread(ctx.strapi, ann, [bob, cat]);
  });

  it('the next send applies saved enabledFormats', async () => {
    await startThread(ctx.strapi, ann, [bob], { body: '<p>ok</p>', format: 'basic_html' });
    await asAdmin(ctx.strapi, superAdmin).put('/settings', { enabledFormats: ['plain_text', 'full_html'] }).expect(200);
    const res = await as(ctx.strapi, ann).post('/threads', {
      recipients: [{ type: 'user', id: bob.id }],
      body: '<p>no</p>',
      format: 'basic_html',
    });
    expectValidationError(res, ['format']);
    await startThread(ctx.strapi, ann, [bob], { body: '<h1>ok</h1>', format: 'full_html' });
  });

  it('the next send applies a saved allow-list of a format', async () => {
    const basic = { ...defaultConfig.formats.basic_html, allowedTags: ['p'] };
    await asAdmin(ctx.strapi, superAdmin)
      .put('/settings', { formats: { ...defaultConfig.formats, basic_html: basic } })
      .expect(200);
    const { message } = await startThread(ctx.strapi, ann, [bob], {
      body: '<p><strong>bold</strong> text</p>',
      format: 'basic_html',
    });
    expect(message.body).toBe('<p>bold text</p>');
  });

  it('an admin-allowed video poster (or any URL attribute) never carries a javascript: or data: URL', async () => {
    const full = defaultConfig.formats.full_html;
    const formats = {
      ...defaultConfig.formats,
      full_html: {
        allowedTags: [...full.allowedTags, 'video', 'q'],
        allowedAttributes: { ...full.allowedAttributes, video: ['poster', 'src'], q: ['cite'], a: ['href', 'ping'] },
      },
    };
    await asAdmin(ctx.strapi, superAdmin).put('/settings', { formats }).expect(200);
    const { thread, message } = await startThread(ctx.strapi, ann, [bob], {
      format: 'full_html',
      body:
        '<p>clip</p><video poster="javascript:alert(document.cookie)" src="https://cdn.example/v.mp4"></video>' +
        '<video poster="data:image/svg+xml,&lt;svg onload=alert(1)&gt;"></video>' +
        '<video poster=" java&#x09;script:alert(1)"></video>' +
        '<q cite="javascript:alert(1)">q</q><a href="https://ok.example" ping="https://ok.example/p javascript:alert(1)">a</a>' +
        '<video poster="https://cdn.example/p.png"></video>',
    });
    const expected =
      '<p>clip</p><video src="https://cdn.example/v.mp4"></video><video></video><video></video>' +
      '<q>q</q><a href="https://ok.example" rel="nofollow noopener">a</a><video poster="https://cdn.example/p.png"></video>';
    expect(message.body).toBe(expected);
    // What readers get is what was stored.
    const seen = await as(ctx.strapi, bob).get(`/threads/${thread.id}`).expect(200);
    expect(seen.body.data.messages[0].body).toBe(expected);
    expect(seen.body.data.messages[0].body).not.toMatch(/javascript:|data:/i);
  });

  it('a saved allow-list replaces the previous one (entries can be removed, not only added)', async () => {
    const full = defaultConfig.formats.full_html;
    const { '*': _all, ...withoutWildcard } = full.allowedAttributes;
    const formats = { ...defaultConfig.formats, full_html: { allowedTags: ['p', 'span'], allowedAttributes: withoutWildcard } };
    const res = await asAdmin(ctx.strapi, superAdmin).put('/settings', { formats }).expect(200);
    expect(res.body.data.formats).toEqual(formats);
    const get = await asAdmin(ctx.strapi, superAdmin).get('/settings').expect(200);
    expect(get.body.data.formats).toEqual(formats);
    const { message } = await startThread(ctx.strapi, ann, [bob], {
      body: '<p class="x"><span class="y">hi</span></p>',
      format: 'full_html',
    });
    expect(message.body).toBe('<p><span>hi</span></p>');
  });

  it('the next send applies a saved default format', async () => {
    await asAdmin(ctx.strapi, superAdmin).put('/settings', { defaultFormat: 'basic_html' }).expect(200);
    const { message } = await startThread(ctx.strapi, ann, [bob], { body: '<p>hi</p>' });
    expect(message).toMatchObject({ format: 'basic_html', body: '<p>hi</p>' });
  });

  describe('refuses invalid settings with a 400 and saves nothing', () => {
    const cases: [string, unknown, string[]][] = [
      ['an unknown key', { maxRecipients: 3, colour: 'red' }, ['colour']],
      ['an unknown nested key', { rateLimit: { max: 1, windowSeconds: 1, burst: 2 } }, ['rateLimit', 'burst']],
      ['a wrong type', { maxRecipients: '5' }, ['maxRecipients']],
      ['a wrong type in an array', { allowedSenderRoles: ['1'] }, ['allowedSenderRoles', '0']],
      ['a wrong boolean', { messagingEnabledByDefault: 'yes' }, ['messagingEnabledByDefault']],
      ['a negative number of days', { purgeDeletedAfterDays: -1 }, ['purgeDeletedAfterDays']],
      ['a fractional number of days', { purgeDeletedAfterDays: 1.5 }, ['purgeDeletedAfterDays']],
      ['zero max recipients', { maxRecipients: 0 }, ['maxRecipients']],
      ['a rate window of zero', { rateLimit: { max: 5, windowSeconds: 0 } }, ['rateLimit', 'windowSeconds']],
      ['a rate window over a day', { rateLimit: { max: 5, windowSeconds: 86_401 } }, ['rateLimit', 'windowSeconds']],
      ['an unknown format', { enabledFormats: ['plain_text', 'markdown'] }, ['enabledFormats', '1']],
      ['no enabled format', { enabledFormats: [] }, ['enabledFormats']],
      ['an unknown email level', { emailNotificationsDefault: 'daily' }, ['emailNotificationsDefault']],
      ['a URL template without {threadId}', { threadUrlTemplate: 'https://site.test/inbox' }, ['threadUrlTemplate']],
      ['a default avatar that is not a URL', { defaultAvatarUrl: 'not a url' }, ['defaultAvatarUrl']],
      // Links in emails and avatars are absolute http(s) URLs: these would run script for the reader.
      ['a javascript: URL template', { threadUrlTemplate: 'javascript:alert(document.cookie)//{threadId}' }, ['threadUrlTemplate']],
      ['a data: URL template', { threadUrlTemplate: 'data:text/html,<script>alert(1)</script>{threadId}' }, ['threadUrlTemplate']],
      ['a relative URL template', { threadUrlTemplate: '/messages/{threadId}' }, ['threadUrlTemplate']],
      ['a javascript: default avatar', { defaultAvatarUrl: 'javascript:alert(1)' }, ['defaultAvatarUrl']],
      ['a data: default avatar', { defaultAvatarUrl: 'data:image/svg+xml,<svg onload=alert(1)>' }, ['defaultAvatarUrl']],
      // avatarField is published as every user's avatarUrl: only media or non-private string attributes.
      ['an avatar field that holds reset tokens', { avatarField: 'resetPasswordToken' }, ['avatarField']],
      ['an avatar field that holds email addresses', { avatarField: 'email' }, ['avatarField']],
      ['an avatar field that holds password hashes', { avatarField: 'password' }, ['avatarField']],
      ['an avatar field the user does not have', { avatarField: 'avatar' }, ['avatarField']],
      ['an avatar field that is not media or a string', { avatarField: 'blocked' }, ['avatarField']],
      ['a bad tag name in an allow-list', { formats: { ...defaultConfig.formats, basic_html: { allowedTags: ['<script>'], allowedAttributes: {} } } }, ['formats', 'basic_html', 'allowedTags', '0']],
      ['a default format that is not enabled', { enabledFormats: ['plain_text'], defaultFormat: 'basic_html' }, ['defaultFormat']],
      ['disabling the saved default format', { enabledFormats: ['basic_html'] }, ['defaultFormat']],
      // Declared in config/plugins: listed here, never changed here.
      ['custom field declarations', { fields: { thread: {} } }, ['fields']],
    ];

    it.each(cases)('%s', async (_name, body, path) => {
      await asAdmin(ctx.strapi, superAdmin).put('/settings', { maxRecipients: 4 }).expect(200);
      const before = await savedSettings();
      expectValidationError(await asAdmin(ctx.strapi, superAdmin).put('/settings', body as object), path);
      expect(await savedSettings()).toEqual(before);
      const get = await asAdmin(ctx.strapi, superAdmin).get('/settings').expect(200);
      expect(get.body.data).toEqual({ ...DEFAULTS, maxRecipients: 4 });
    });

    it('a body that is not an object', async () => {
      for (const body of [[1, 2], [{ maxRecipients: 3 }]]) {
        const res = await asAdmin(ctx.strapi, superAdmin).put('/settings').send(body);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ data: null, error: { status: 400 } });
      }
      expect(await savedSettings()).toBeNull();
    });

    it('an unknown query key', async () => {
      expectValidationError(await asAdmin(ctx.strapi, superAdmin).put('/settings?x=1', { maxRecipients: 3 }), ['x']);
      expect(await savedSettings()).toBeNull();
    });
  });
});

describe('RBAC on the settings routes', () => {
  let readOnly: TestAdmin, updateOnly: TestAdmin, both: TestAdmin, moderator: TestAdmin, nothing: TestAdmin;
  beforeAll(async () => {
    readOnly = await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.settingsRead]);
    updateOnly = await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.settingsUpdate]);
    both = await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.settingsRead, ADMIN_ACTIONS.settingsUpdate]);
    moderator = await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.reportsManage]);
    nothing = await createLimitedAdmin(ctx.strapi, []);
  });

  const expectForbidden = (res: request.Response) => {
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ data: null, error: { status: 403 } });
  };

  it('an admin without settings.read gets a 403 on GET', async () => {
    for (const admin of [updateOnly, moderator, nothing]) expectForbidden(await asAdmin(ctx.strapi, admin).get('/settings'));
  });

  it('an admin with settings.read but not settings.update reads, and gets a 403 on PUT (nothing saved)', async () => {
    const res = await asAdmin(ctx.strapi, readOnly).get('/settings').expect(200);
    expect(res.body.data).toEqual(DEFAULTS);
    expectForbidden(await asAdmin(ctx.strapi, readOnly).put('/settings', { maxRecipients: 3 }));
    expectForbidden(await asAdmin(ctx.strapi, moderator).put('/settings', { maxRecipients: 3 }));
    expectForbidden(await asAdmin(ctx.strapi, nothing).put('/settings', { maxRecipients: 3 }));
    expect(await savedSettings()).toBeNull();
  });

  it('settings.update alone is enough to save', async () => {
    const res = await asAdmin(ctx.strapi, updateOnly).put('/settings', { maxRecipients: 3 }).expect(200);
    expect(res.body.data.maxRecipients).toBe(3);
    expect((await asAdmin(ctx.strapi, both).get('/settings').expect(200)).body.data.maxRecipients).toBe(3);
  });

  it('an anonymous caller, or one with a bad token, gets a 401', async () => {
    for (const admin of [null, { token: 'not-a-token' }]) {
      const get = await asAdmin(ctx.strapi, admin).get('/settings');
      expect(get.status).toBe(401);
      expect(get.body).toMatchObject({ data: null, error: { status: 401 } });
      const put = await asAdmin(ctx.strapi, admin).put('/settings', { maxRecipients: 3 });
      expect(put.status).toBe(401);
    }
    expect(await savedSettings()).toBeNull();
  });

  it('a users-permissions JWT is not an admin token', async () => {
    const res = await request(ctx.strapi.server.httpServer).get('/private-messages/settings').set('Authorization', `Bearer ${ann.jwt}`);
    expect(res.status).toBe(401);
  });
});
