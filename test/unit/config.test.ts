import { resolveAdminUrl, resolveConfig } from '../../server/src/config/resolve';
import { moderationQueueUrl } from '../../server/src/config/urls';
import config from '../../server/src/config';
import { defaultConfig, FORMAT_NAMES, type PluginConfig } from '../../server/src/config/defaults';
import { pluginConfigSchema } from '../../server/src/config/schema';
import { fieldValuesSchema, resolveFieldsConfig } from '../../server/src/config/fields';

/** A deep copy of the defaults, to edit freely. */
const base = (): PluginConfig => structuredClone(defaultConfig);

/** Values that must never be sent out as a link or an avatar. */
const NOT_HTTP_URLS = [
  'javascript:alert(1)',
  'JavaScript:alert(1)',
  ' javascript:alert(1)',
  '\tjavascript:alert(1)',
  'vbscript:msgbox(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'data:image/svg+xml,<svg onload=alert(1)>',
  'ftp://example.com/a.png',
  'mailto:ann@example.com',
  '//example.com/a.png',
  '/uploads/a.png',
  'https:/example.com/a.png',
  'https:///example.com/a.png',
  ' https://example.com/a.png',
  'https://example.com/a b.png',
];

/** Issue paths (joined with dots) of `input`; [] when it is valid. */
const problems = (input: unknown) => {
  const result = pluginConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
};

describe('pluginConfigSchema', () => {
  it('accepts the defaults', () => {
    expect(pluginConfigSchema.safeParse(defaultConfig).success).toBe(true);
    expect(pluginConfigSchema.parse(defaultConfig)).toEqual(defaultConfig);
  });

  it('defaults enable every format and default to plain_text', () => {
    expect(defaultConfig.enabledFormats).toEqual([...FORMAT_NAMES]);
    expect(defaultConfig.defaultFormat).toBe('plain_text');
    expect(defaultConfig.maxBodyLength).toBe(20_000);
  });

  it('refuses an unknown top-level key', () => {
    expect(problems({ ...base(), maxBodyLenght: 10 })).toEqual(['']);
    const result = pluginConfigSchema.safeParse({ ...base(), maxBodyLenght: 10 });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['maxBodyLenght'] });
  });

  it('refuses an unknown format and an unknown key in a format rule', () => {
    const c1: any = base();
    c1.formats.markdown = { allowedTags: [], allowedAttributes: {} };
    expect(problems(c1)).toEqual(['formats']);

    const c2: any = base();
    c2.formats.basic_html.allowedSchemes = ['javascript'];
    expect(problems(c2)).toEqual(['formats.basic_html']);
  });

  it('needs every format rule', () => {
    const c: any = base();
    delete c.formats.full_html;
    expect(problems(c)).toEqual(['formats.full_html']);
  });

  it('needs every top-level key', () => {
    for (const key of Object.keys(defaultConfig)) {
      const c: any = base();
      delete c[key];
      expect(problems(c)).toContain(key);
    }
  });

  describe('formats', () => {
    it('accepts lowercase tag names with digits', () => {
      const c = base();
      c.formats.full_html.allowedTags = ['h1', 'p', 'blockquote'];
      expect(problems(c)).toEqual([]);
    });

    it.each(['P', 'my-tag', '1h', '', 'img src', '<script>', '*', 'svg:a'])('refuses the tag name %j', (tag) => {
      const c = base();
      c.formats.basic_html.allowedTags = ['p', tag];
      expect(problems(c)).toEqual(['formats.basic_html.allowedTags.1']);
    });

    it('refuses more than 100 tags', () => {
      const c = base();
      c.formats.full_html.allowedTags = Array.from({ length: 101 }, (_, i) => `t${i}`);
      expect(problems(c)).toEqual(['formats.full_html.allowedTags']);
      c.formats.full_html.allowedTags = c.formats.full_html.allowedTags.slice(0, 100);
      expect(problems(c)).toEqual([]);
    });

    it('accepts lowercase attribute names with dashes, per tag and for *', () => {
      const c = base();
      c.formats.full_html.allowedAttributes = { '*': ['class', 'data-id', 'aria-label'], td: ['colspan'] };
      expect(problems(c)).toEqual([]);
    });

    it.each(['*', 'data-*', 'o*', 'xlink:href', 'Class', '-x', '1a', '', 'on click'])(
      'refuses the attribute name %j (no globs, no namespaces)',
      (name) => {
        const c = base();
        c.formats.full_html.allowedAttributes = { p: ['class', name] };
        expect(problems(c)).toEqual(['formats.full_html.allowedAttributes.p.1']);
      }
    );

    it('refuses more than 50 attributes for one tag', () => {
      const c = base();
      c.formats.full_html.allowedAttributes = { p: Array.from({ length: 51 }, (_, i) => `a${i}`) };
      expect(problems(c)).toEqual(['formats.full_html.allowedAttributes.p']);
    });

    it('refuses attribute lists that are not arrays of strings', () => {
      const c: any = base();
      c.formats.full_html.allowedAttributes = { p: 'class' };
      expect(problems(c)).toEqual(['formats.full_html.allowedAttributes.p']);
      c.formats.full_html.allowedAttributes = { p: [1] };
      expect(problems(c)).toEqual(['formats.full_html.allowedAttributes.p.0']);
      c.formats.full_html.allowedAttributes = true;
      expect(problems(c)).toEqual(['formats.full_html.allowedAttributes']);
    });
  });

  describe('enabledFormats and defaultFormat', () => {
    it('needs at least one enabled format', () => {
      const c = base();
      c.enabledFormats = [];
      expect(problems(c)).toContain('enabledFormats');
    });

    it('refuses unknown formats', () => {
      const c: any = base();
      c.enabledFormats = ['plain_text', 'markdown'];
      expect(problems(c)).toEqual(['enabledFormats.1']);
      const d: any = base();
      d.defaultFormat = 'markdown';
      expect(problems(d)).toContain('defaultFormat');
    });

    it('needs the default format to be enabled', () => {
      const c = base();
      c.enabledFormats = ['basic_html', 'full_html'];
      c.defaultFormat = 'plain_text';
      const result = pluginConfigSchema.safeParse(c);
      expect(result.success).toBe(false);
      expect(result.error!.issues).toEqual([
        expect.objectContaining({ path: ['defaultFormat'], message: 'defaultFormat must be one of enabledFormats' }),
      ]);
      c.defaultFormat = 'basic_html';
      expect(problems(c)).toEqual([]);
    });
  });

  describe('limits', () => {
    it.each([
      ['maxBodyLength', 1, true],
      ['maxBodyLength', 1_000_000, true],
      ['maxBodyLength', 0, false],
      ['maxBodyLength', 1_000_001, false],
      ['maxBodyLength', 10.5, false],
      ['maxBodyLength', '100', false],
      ['maxBodyLength', Number.NaN, false],
      ['maxBodyLength', Number.POSITIVE_INFINITY, false],
      ['maxRecipients', 1, true],
      ['maxRecipients', 100_000, true],
      ['maxRecipients', 0, false],
      ['maxRecipients', 100_001, false],
      ['maxRecipients', -5, false],
      ['maxRecipients', 2.5, false],
    ] as const)('%s = %p is valid: %p', (key, value, ok) => {
      const c: any = base();
      c[key] = value;
      expect(problems(c)).toEqual(ok ? [] : [key]);
    });
  });

  describe('avatarField', () => {
    it.each(['avatar', 'profile_picture', '_pic', 'Avatar2', null])('accepts %p', (value) => {
      expect(problems({ ...base(), avatarField: value })).toEqual([]);
    });

    it.each(['', '2avatar', 'avatar.url', 'avatar-url', 'a b', 42])('refuses %p', (value) => {
      expect(problems({ ...base(), avatarField: value })).toEqual(['avatarField']);
    });
  });

  describe('defaultAvatarUrl', () => {
    it.each(['https://example.com/avatar.png', 'http://localhost:1337/a.png', null])('accepts %p', (value) => {
      expect(problems({ ...base(), defaultAvatarUrl: value })).toEqual([]);
    });

    it('refuses a string that is not a URL, and one over 2048 characters', () => {
      expect(problems({ ...base(), defaultAvatarUrl: 'not a url' })).toEqual(['defaultAvatarUrl']);
      expect(problems({ ...base(), defaultAvatarUrl: '' })).toEqual(['defaultAvatarUrl']);
      const long = `https://example.com/${'a'.repeat(2048)}`;
      expect(problems({ ...base(), defaultAvatarUrl: long })).toEqual(['defaultAvatarUrl']);
    });

    it('must be given (null for none), not undefined', () => {
      expect(problems({ ...base(), defaultAvatarUrl: undefined })).toEqual(['defaultAvatarUrl']);
    });

    it.each(NOT_HTTP_URLS)('refuses %j: only absolute http(s) URLs are sent out as avatars', (value) => {
      expect(problems({ ...base(), defaultAvatarUrl: value })).toEqual(['defaultAvatarUrl']);
    });
  });

  describe('threadUrlTemplate', () => {
    it.each([
      'https://www.example.com/messages/{threadId}',
      'http://localhost:3000/messages/{threadId}',
      'HTTPS://example.com/m?thread={threadId}#top',
      'https://{threadId}.example.com/',
    ])('accepts %j', (value) => {
      expect(problems({ ...base(), threadUrlTemplate: value })).toEqual([]);
    });

    it.each([
      ...NOT_HTTP_URLS.map((u) => `${u}#{threadId}`),
      'javascript:alert(document.cookie)//{threadId}',
      'javascript://example.com/%0aalert(1)//{threadId}',
      'data:text/html,<script>alert(1)</script>{threadId}',
      '{threadId}',
      '/messages/{threadId}',
    ])('refuses %j: links in emails are absolute http(s) URLs once {threadId} is filled in', (value) => {
      expect(problems({ ...base(), threadUrlTemplate: value })).toEqual(['threadUrlTemplate']);
    });
  });
});

describe('the plugin config module', () => {
  it('gives Strapi no defaults to merge: lodash would pad a shorter allow-list with ours', () => {
    expect(config.default).toEqual({});
  });

  it('validator applies the defaults itself, where a user’s array replaces ours', () => {
    expect(() => config.validator({})).not.toThrow();
    expect(() => config.validator({ enabledFormats: ['plain_text'] })).not.toThrow();
    expect(resolveConfig({ enabledFormats: ['plain_text'] }).enabledFormats).toEqual(['plain_text']);
    expect(resolveConfig({ formats: { basic_html: { allowedTags: ['p'] } } }).formats.basic_html.allowedTags).toEqual(['p']);
  });

  it('validator accepts the defaults', () => {
    expect(() => config.validator(defaultConfig)).not.toThrow();
  });

  it('validator throws one Error naming every problem', () => {
    const c: any = { ...base(), maxBodyLength: 0, avatarField: 'a.b' };
    expect(() => config.validator(c)).toThrow(/^Invalid configuration of plugin private-messages: /);
    expect(() => config.validator(c)).toThrow(/maxBodyLength: .*; avatarField: /);
  });

  it('validator names the root for a problem with the whole config', () => {
    expect(() => config.validator('nope')).toThrow(/\(root\): /);
    expect(() => config.validator({ ...base(), extra: 1 })).toThrow(/\(root\): /);
  });
});

describe('adminUrl (config/plugins only): the admin panel\'s address in report emails', () => {
  it('is null when unset, and is not a setting of the admin panel', () => {
    expect(resolveAdminUrl({})).toBeNull();
    expect(resolveAdminUrl({ adminUrl: null })).toBeNull();
    expect(() => config.validator({ adminUrl: 'https://cms.example.com/admin' })).not.toThrow();
    expect(resolveConfig({ adminUrl: 'https://cms.example.com/admin' })).not.toHaveProperty('adminUrl');
  });

  it('takes an absolute http(s) URL', () => {
    expect(resolveAdminUrl({ adminUrl: 'https://cms.example.com/admin' })).toBe('https://cms.example.com/admin');
    expect(resolveAdminUrl({ adminUrl: 'http://localhost:1337/admin' })).toBe('http://localhost:1337/admin');
  });

  it.each([...NOT_HTTP_URLS, '/admin', 'admin', '', 42])('stops the server on %j: the link is read in an email, far from the server', (value) => {
    expect(() => resolveAdminUrl({ adminUrl: value })).toThrow(/^Invalid configuration of plugin private-messages: adminUrl: /);
    expect(() => config.validator({ adminUrl: value })).toThrow(/adminUrl: /);
  });

  it('the moderation queue is under it, else under the admin panel\'s absolute URL', () => {
    expect(moderationQueueUrl('https://cms.example.com/admin/', 'http://0.0.0.0:1337/admin')).toBe(
      'https://cms.example.com/admin/plugins/private-messages',
    );
    expect(moderationQueueUrl(null, 'https://api.example.com/admin')).toBe('https://api.example.com/admin/plugins/private-messages');
  });
});

describe('custom field declarations (config/plugins `fields`)', () => {
  it('accepts every type with its own options, and none', () => {
    expect(resolveFieldsConfig({})).toEqual({ thread: {}, message: {} });
    const fields = {
      thread: { a: { type: 'string', maxLength: 255 }, b: { type: 'text', maxLength: 10000, required: true }, c: { type: 'integer', min: -1, max: 1 } },
      message: { d: { type: 'decimal', min: 0.5 }, e: { type: 'boolean' }, f: { type: 'enumeration', enum: ['x'] }, g: { type: 'date' }, h: { type: 'datetime' } },
    };
    expect(resolveFieldsConfig({ fields })).toEqual(fields);
  });

  it.each([
    [{ thread: { a: { type: 'string', maxLength: 256 } } }, 'fields.thread.a.maxLength'],
    [{ thread: { a: { type: 'text', maxLength: 10001 } } }, 'fields.thread.a.maxLength'],
    [{ message: { a: { type: 'enumeration', enum: [] } } }, 'fields.message.a.enum'],
    [{ message: { a: { type: 'enumeration', enum: ['x', 'x'] } } }, 'fields.message.a.enum'],
    [{ message: { a: { type: 'boolean', maxLength: 3 } } }, 'fields.message.a'],
    [{ message: { a: { type: 'json' } } }, 'fields.message.a.type'],
    [{ thread: { a: { type: 'decimal', min: 2, max: 1 } } }, 'fields.thread.a.min'],
    [{ thread: { '1a': { type: 'string' } } }, 'fields.thread.1a'],
    [{ threads: {} }, 'fields'],
  ])('refuses %j naming %s', (fields, path) => {
    expect(() => resolveFieldsConfig({ fields })).toThrow(path);
  });

  it('builds the value schema from the declarations', () => {
    const schema = fieldValuesSchema({ n: { type: 'integer', min: 1, required: true }, s: { type: 'string', maxLength: 2 } });
    // (untyped on purpose: the declarations' own type is what config/plugins is checked against)
    expect(schema.safeParse({ n: 1, s: 'ab' }).success).toBe(true);
    expect(schema.safeParse(undefined).success).toBe(false);
    expect(schema.safeParse({ n: 1, s: null }).success).toBe(true);
    expect(schema.safeParse({ n: 1, s: 'abc' }).success).toBe(false);
    expect(schema.safeParse({ n: 1, x: 1 }).success).toBe(false);
  });
});
