import path from 'node:path';
import { defaultAttachmentsConfig, localFolder, resolveAttachmentsConfig } from '../../server/src/config/attachments';
import { messageEmail } from '../../server/src/services/notification-email';
import { contradicts, cleanName, normalizeMime } from '../../server/src/services/attachment-files';
import { createStorage } from '../../server/src/storage';
import { parseRange } from '../../server/src/utils/range';
import { inFormOrder, numberUploadedFiles } from '../../server/src/utils/form-positions';

/* The pure parts of attachments: the config, Range headers, names, the email's wording, the storage choice. */

const PROVIDER = path.resolve(__dirname, '../fixtures/private-upload-provider.js');
const dirs = { root: '/srv/app', publicDir: '/srv/app/public' };

describe('attachments config', () => {
  it('is off by default, with a private folder outside public/', () => {
    const config = resolveAttachmentsConfig({});
    expect(config).toEqual(defaultAttachmentsConfig);
    expect(config.enabled).toBe(false);
    expect(localFolder(config, dirs)).toBe('/srv/app/private-uploads');
  });

  it('refuses a folder inside public/, bad bounds, a signed URL living over 60 s', () => {
    for (const folder of ['public', 'public/uploads', '/srv/app/public/x']) {
      expect(() => localFolder(resolveAttachmentsConfig({ attachments: { storage: { adapter: 'local', folder } } }), dirs)).toThrow(/public folder/);
    }
    expect(localFolder(resolveAttachmentsConfig({ attachments: { storage: { adapter: 'local', folder: '/data/pm' } } }), dirs)).toBe('/data/pm');
    expect(() => resolveAttachmentsConfig({ attachments: { maxSize: 0 } })).toThrow(/maxSize/);
    expect(() => resolveAttachmentsConfig({ attachments: { allowedTypes: ['images'] } })).toThrow(/allowedTypes/);
    expect(() => resolveAttachmentsConfig({ attachments: { scanFailure: 'maybe' } })).toThrow(/scanFailure/);
    expect(() => resolveAttachmentsConfig({ attachments: { storage: { adapter: 'provider', provider: 'x', signedUrlSeconds: 900 } } })).toThrow(/signedUrlSeconds/);
    expect(() => resolveAttachmentsConfig({ attachments: { bogus: true } })).toThrow(/bogus/);
  });

  it('caps what one user may have staged: 50 files and 200 MiB by default, room for a full upload at least', () => {
    expect(resolveAttachmentsConfig({})).toMatchObject({ maxStagedFiles: 50, maxStagedBytes: 200 * 1024 * 1024 });
    expect(resolveAttachmentsConfig({ attachments: { maxStagedFiles: 10, maxStagedBytes: 10 * 1024 * 1024 } })).toMatchObject({ maxStagedFiles: 10, maxStagedBytes: 10 * 1024 * 1024 });
    expect(() => resolveAttachmentsConfig({ attachments: { maxStagedFiles: 0 } })).toThrow(/maxStagedFiles/);
    expect(() => resolveAttachmentsConfig({ attachments: { maxPerMessage: 20, maxStagedFiles: 19 } })).toThrow(/maxStagedFiles: must be at least maxPerMessage/);
    expect(() => resolveAttachmentsConfig({ attachments: { maxSize: 300 * 1024 * 1024 } })).toThrow(/maxStagedBytes: must be at least maxSize/);
  });
});

describe('storage', () => {
  it('refuses at boot a provider that does not say it is private', async () => {
    const config = (options: Record<string, unknown>) =>
      resolveAttachmentsConfig({ attachments: { enabled: true, storage: { adapter: 'provider', provider: PROVIDER, providerOptions: options } } });
    await expect(createStorage(config({ isPrivate: false }), dirs)).rejects.toThrow(/does not say it is private/);
    expect((await createStorage(config({}), dirs)).kind).toBe('provider');
  });
});

describe('Range', () => {
  it.each([
    [undefined, null],
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=5-', { start: 5, end: 99 }],
    ['bytes=-10', { start: 90, end: 99 }],
    ['bytes=90-500', { start: 90, end: 99 }],
    ['bytes=100-', 'unsatisfiable'],
    ['bytes=9-3', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=0-1,5-6', null],
    ['items=0-1', null],
  ])('%s of 100 bytes', (header, expected) => {
    expect(parseRange(header, 100)).toEqual(expected);
  });
});

describe('names and types', () => {
  it('cleans names for display and headers', () => {
    expect(cleanName('../../etc/passwd')).toBe('passwd');
    expect(cleanName('C:\\Users\\me\\a "b".png')).toBe('a b.png');
    expect(cleanName('line\nbreak.txt')).toBe('linebreak.txt');
    expect(cleanName('')).toBe('file');
    expect(cleanName('x'.repeat(300))).toHaveLength(255);
  });

  it('takes a header that claims nothing, or the same type, and refuses another', () => {
    expect(normalizeMime('image/JPG; charset=x')).toBe('image/jpeg');
    expect(contradicts('application/octet-stream', 'image/png')).toBe(false);
    expect(contradicts(undefined, 'image/png')).toBe(false);
    expect(contradicts('image/jpg', 'image/jpeg')).toBe(false);
    expect(contradicts('image/png', 'text/plain')).toBe(true);
    expect(contradicts('text/html', 'text/plain')).toBe(true);
  });
});

describe('notification emails', () => {
  const texts = { emailTemplates: {}, emailLocale: 'en' as const };
  it('say how many files a message carries, never where they are', () => {
    const email = messageEmail({ senderName: 'Ann', subject: 'Trip', excerpt: 'Photos', url: 'https://site.test/m/1', isNewThread: true, attachments: 2 }, texts);
    expect(email.text).toContain('(2 attachments)');
    expect(email.html).toContain('(2 attachments)');
    expect(email.text).not.toContain('/attachments/');
    expect(messageEmail({ senderName: 'Ann', subject: '', excerpt: 'x', url: 'u', isNewThread: false, attachments: 1 }, texts).text).toContain('(1 attachment)');
    expect(messageEmail({ senderName: 'Ann', subject: '', excerpt: 'x', url: 'u', isNewThread: false }, texts).text).not.toContain('attachment');
    expect(messageEmail({ senderName: 'Ann', subject: '', excerpt: 'x', url: 'u', isNewThread: false, attachments: 3 }, { ...texts, emailLocale: 'fr' }).text).toContain('(3 pièces jointes)');
  });
});

describe('a file’s place in its form', () => {
  /** A Strapi whose config holds only `middlewares`. */
  const app = (middlewares?: unknown[]) => {
    const store: Record<string, unknown> = middlewares ? { middlewares } : {};
    return { config: { get: (key: string, fallback?: unknown) => store[key] ?? fallback, set: (key: string, value: unknown) => (store[key] = value) }, store };
  };
  const bodyEntry = (store: Record<string, unknown>) =>
    (store.middlewares as any[]).find((m) => typeof m === 'object' && m.name === 'strapi::body');

  it('numbers files per form and field as formidable announces them, keeping the site’s options and listener', () => {
    const seen: string[] = [];
    const { config, store } = app(['strapi::errors', { name: 'strapi::body', config: { formidable: { maxFileSize: 5, onFileBegin: (name: string) => seen.push(name) } } }, 'strapi::public']);
    numberUploadedFiles({ config } as any);
    const entry = bodyEntry(store);
    expect(entry.config.formidable.maxFileSize).toBe(5);
    expect((store.middlewares as unknown[])[0]).toBe('strapi::errors');
    const formA = {};
    const formB = {};
    const files = ['a0', 'a1', 'b0', 'a2'].map((name) => ({ name }));
    entry.config.formidable.onFileBegin.call(formA, 'files', files[0]);
    entry.config.formidable.onFileBegin.call(formA, 'files', files[1]);
    entry.config.formidable.onFileBegin.call(formB, 'files', files[2]);
    entry.config.formidable.onFileBegin.call(formA, 'files', files[3]);
    expect(seen).toEqual(['files', 'files', 'files', 'files']);
    // Finished (and listed by the parser) in another order: back in the order sent.
    expect(inFormOrder([files[3], files[1], files[0]]).map((f) => f.name)).toEqual(['a0', 'a1', 'a2']);
    expect(inFormOrder([files[2]]).map((f) => f.name)).toEqual(['b0']);
    // Files nobody numbered keep the order they came in.
    expect(inFormOrder([{ name: 'x' }, { name: 'y' }]).map((f) => f.name)).toEqual(['x', 'y']);
  });

  it('adds the listener to Strapi’s default middlewares when the app lists none, or to a bare `strapi::body`', () => {
    for (const given of [undefined, ['strapi::body']]) {
      const { config, store } = app(given);
      numberUploadedFiles({ config } as any);
      expect(typeof bodyEntry(store).config.formidable.onFileBegin).toBe('function');
    }
  });
});
