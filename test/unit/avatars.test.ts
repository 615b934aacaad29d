import { avatarFieldProblem, avatarKindOf, type UserModel } from '../../server/src/config/avatar-field';
import { publicAvatarUrl } from '../../server/src/config/urls';
import settingsService from '../../server/src/services/settings';

/* Pure tests of the avatar rules: which user attribute may hold avatars, which values go out. */

/** The users-permissions user as Strapi 5 defines it, plus attributes a site builder might add. */
const model: UserModel = {
  attributes: {
    username: { type: 'string' },
    email: { type: 'email' },
    provider: { type: 'string' },
    password: { type: 'password', private: true },
    resetPasswordToken: { type: 'string', private: true },
    confirmationToken: { type: 'string', private: true },
    confirmed: { type: 'boolean' },
    blocked: { type: 'boolean' },
    role: { type: 'relation' },
    avatar: { type: 'media' },
    gallery: { type: 'media', multiple: true },
    avatarUrl: { type: 'string' },
    bio: { type: 'text' },
    secretNote: { type: 'text', private: true },
    phone: { type: 'string' },
    internalId: { type: 'string' },
    contactEmail: { type: 'email' },
    pin: { type: 'password' },
  },
  options: { privateAttributes: ['internalId'] },
};

describe('avatarFieldProblem', () => {
  it.each(['avatar', 'avatarUrl', 'bio', 'username', 'provider', 'phone'])('accepts %s (media, or a non-private string)', (field) => {
    expect(avatarFieldProblem(model, field)).toBeNull();
  });

  it.each([
    'password',
    'resetPasswordToken',
    'confirmationToken',
    'email',
    'secretNote', // private: true
    'internalId', // the model's options.privateAttributes
    'contactEmail', // an email type
    'pin', // a password type, even without private: true
  ])('refuses %s: a private attribute', (field) => {
    expect(avatarFieldProblem(model, field)).toMatch(/private/);
  });

  it('refuses an attribute private on every model (api.responses.privateAttributes)', () => {
    expect(avatarFieldProblem(model, 'phone', ['phone'])).toMatch(/private/);
  });

  it('refuses a private attribute whatever its type says, even a media one', () => {
    const m: UserModel = { attributes: { photo: { type: 'media', private: true } } };
    expect(avatarFieldProblem(m, 'photo')).toMatch(/private/);
  });

  it.each(['nope', 'constructor', 'toString', '__proto__'])('refuses %s: not an attribute', (field) => {
    expect(avatarFieldProblem(model, field)).toMatch(/not an attribute/);
  });

  it.each(['confirmed', 'role', 'gallery'])('refuses %s: neither a single media nor a string', (field) => {
    expect(avatarFieldProblem(model, field)).toMatch(/must be/);
  });

  it('refuses everything without a model', () => {
    expect(avatarFieldProblem(undefined, 'avatar')).not.toBeNull();
  });
});

describe('avatarKindOf', () => {
  it('reads media and strings; nothing from a refused or missing field', () => {
    expect(avatarKindOf(model, 'avatar')).toBe('media');
    expect(avatarKindOf(model, 'avatarUrl')).toBe('string');
    expect(avatarKindOf(model, null)).toBeNull();
    for (const field of ['resetPasswordToken', 'email', 'password', 'internalId', 'nope', 'gallery']) {
      expect(avatarKindOf(model, field)).toBeNull();
    }
  });
});

describe('publicAvatarUrl', () => {
  it('passes absolute http(s) URLs', () => {
    expect(publicAvatarUrl('https://cdn.example/a.png', '')).toBe('https://cdn.example/a.png');
    expect(publicAvatarUrl('http://cdn.example/a.png', undefined)).toBe('http://cdn.example/a.png');
  });

  it('makes a relative upload URL absolute with an http(s) server.url', () => {
    expect(publicAvatarUrl('/uploads/a.png', 'https://api.example')).toBe('https://api.example/uploads/a.png');
    expect(publicAvatarUrl('/uploads/a.png', 'https://api.example/cms/')).toBe('https://api.example/cms/uploads/a.png');
  });

  it('drops a relative URL without an http(s) server.url (the default avatar goes out instead)', () => {
    for (const base of ['', undefined, null, '/cms', 'javascript:alert(1)//']) {
      expect(publicAvatarUrl('/uploads/a.png', base)).toBeNull();
    }
  });

  it.each([
    'javascript:alert(1)',
    ' javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'data:image/svg+xml,<svg onload=alert(1)>',
    'vbscript:msgbox(1)',
    '//evil.example/a.png',
    'uploads/a.png',
    'abc123resettoken',
    'ann@example.test',
    'ftp://example.com/a.png',
    '',
  ])('drops %j, even with a server.url', (value) => {
    expect(publicAvatarUrl(value, 'https://api.example')).toBeNull();
  });

  it('drops what is not a string', () => {
    for (const value of [null, undefined, 42, { url: 'https://x.example' }]) expect(publicAvatarUrl(value, 'https://api.example')).toBeNull();
  });
});

describe('avatarField from config/plugins, at boot', () => {
  /** The settings service over a stand-in Strapi: a config file, a saved value, the user model above. */
  const boot = (fromFile: Record<string, unknown>, saved: Record<string, unknown> | null = null) => {
    const warn = jest.fn();
    const strapi: any = {
      store: () => ({ get: async () => saved, set: async () => {} }),
      config: { get: (key: string, fallback?: unknown) => (key === 'plugin::private-messages' ? fromFile : fallback) },
      getModel: () => model,
      log: { warn, error: jest.fn() },
    };
    return { check: () => settingsService({ strapi }).checkAvatarField(), warn };
  };

  it.each(['resetPasswordToken', 'email', 'password', 'internalId', 'nope', 'gallery'])(
    'refuses to start with %s, naming the setting and why',
    async (field) => {
      await expect(boot({ avatarField: field }).check()).rejects.toThrow(
        new RegExp(`^Invalid configuration of plugin private-messages: avatarField: "${field}" `)
      );
    }
  );

  it('starts with a media or string attribute, or none', async () => {
    for (const avatarField of ['avatar', 'avatarUrl', null, undefined]) {
      const { check, warn } = boot({ avatarField });
      await expect(check()).resolves.toBeUndefined();
      expect(warn).not.toHaveBeenCalled();
    }
  });

  it('only warns about a private attribute saved from the admin panel before the check existed (it is not read)', async () => {
    const { check, warn } = boot({}, { avatarField: 'resetPasswordToken' });
    await expect(check()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/avatarField "resetPasswordToken" is a private attribute/));
  });
});
