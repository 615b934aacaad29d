import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { localFolder, type AttachmentsConfig } from '../config/attachments';

/*
 * Where attachment bytes live: never where anyone can fetch them without asking the plugin.
 *   - local: a folder outside `public/` (one instance, or a folder every instance shares);
 *   - provider: an upload-provider package (e.g. the S3 one) the plugin instantiates itself with
 *     the site's private options; it must say it is private (`isPrivate()`), or the boot stops.
 *     Reading it is a redirect to a signed URL that lives at most 60 seconds.
 */
export type StoredFile = { key: string; mime: string; size: number };

export type AttachmentStorage = {
  kind: 'local' | 'provider';
  /** Stores the file at `sourcePath` (a finished file on disk) under `key`. */
  put(file: StoredFile, sourcePath: string): Promise<void>;
  /** Local storage: the bytes from `start` to `end` (inclusive). */
  read?(key: string, range?: { start: number; end: number }): Readable;
  /** Provider storage: a URL for the bytes, valid for the configured seconds (≤ 60). */
  signedUrl?(file: StoredFile): Promise<string>;
  /** Deletes the objects; one already gone is not an error. */
  remove(files: StoredFile[]): Promise<void>;
};

/** Keys are random and spread over 256 folders: `ab/ab12…`. Only ever built by the plugin. */
const KEY_PATTERN = /^[0-9a-f]{2}\/[0-9a-f]{32}(\.thumb)?$/;

const localStorage = (folder: string): AttachmentStorage => {
  const fileOf = (key: string) => {
    if (!KEY_PATTERN.test(key)) throw new Error(`Not an attachment key: ${key}`);
    return path.join(folder, key);
  };
  return {
    kind: 'local',
    async put(file, sourcePath) {
      const target = fileOf(file.key);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      // Copied in libuv's thread pool (not on the event loop), then renamed: never half a file under its key.
      await fs.promises.copyFile(sourcePath, `${target}.part`);
      await fs.promises.rename(`${target}.part`, target);
    },
    read(key, range) {
      return fs.createReadStream(fileOf(key), range ? { start: range.start, end: range.end } : {});
    },
    async remove(files) {
      await Promise.all(files.map((f) => fs.promises.rm(fileOf(f.key), { force: true })));
    },
  };
};

type UploadProvider = {
  upload?(file: Record<string, unknown>): Promise<void>;
  uploadStream?(file: Record<string, unknown>): Promise<void>;
  delete(file: Record<string, unknown>): Promise<void>;
  getSignedUrl?(file: Record<string, unknown>): Promise<{ url: string }>;
  isPrivate?(): boolean | Promise<boolean>;
};

/** The provider's idea of a file (Strapi's upload file shape): the key is `hash`, no extension. */
const providerFile = (file: StoredFile, extra: Record<string, unknown> = {}) => ({
  name: file.key,
  hash: file.key.replace('/', '-'),
  ext: '',
  mime: file.mime,
  size: Math.round((file.size / 1024) * 100) / 100,
  sizeInBytes: file.size,
  ...extra,
});

const providerStorage = async (
  config: Extract<AttachmentsConfig['storage'], { adapter: 'provider' }>,
  appRoot: string
): Promise<AttachmentStorage> => {
  const modulePath = require.resolve(config.provider, { paths: [appRoot] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(modulePath);
  // Signed URLs live at most signedUrlSeconds (≤ 60), whatever the options say (the S3 provider
  // reads s3Options.params.signedUrlExpires; others a top-level signedUrlExpires).
  const options: Record<string, any> = { ...config.providerOptions, signedUrlExpires: config.signedUrlSeconds };
  if (options.s3Options && typeof options.s3Options === 'object') {
    options.s3Options = { ...options.s3Options, params: { ...options.s3Options.params, signedUrlExpires: config.signedUrlSeconds } };
  }
  const provider: UploadProvider = (loaded.default ?? loaded).init(options);
  const isPrivate = typeof provider.isPrivate === 'function' ? await provider.isPrivate() : false;
  if (!isPrivate || typeof provider.getSignedUrl !== 'function') {
    throw new Error(
      `private-messages: the attachments' upload provider ${config.provider} does not say it is private (isPrivate() and getSignedUrl); attachments would be public. Configure it privately (e.g. ACL: 'private').`
    );
  }
  // The provider sets `url` on upload; the signed URL is made from it (or from the key).
  const urls = new Map<string, string>();
  return {
    kind: 'provider',
    async put(file, sourcePath) {
      const f: Record<string, unknown> = providerFile(file, { stream: fs.createReadStream(sourcePath) });
      await (provider.uploadStream ?? provider.upload)!.call(provider, f);
      if (typeof f.url === 'string') urls.set(file.key, f.url);
    },
    async signedUrl(file) {
      const { url } = await provider.getSignedUrl!(providerFile(file, { url: urls.get(file.key) }));
      return url;
    },
    async remove(files) {
      await Promise.all(files.map((file) => provider.delete(providerFile(file, { url: urls.get(file.key) }))));
    },
  };
};

/** The storage the config chooses (checked: a local folder outside public/, a private provider). */
export const createStorage = async (config: AttachmentsConfig, dirs: { root: string; publicDir: string }) =>
  config.storage.adapter === 'provider' ? providerStorage(config.storage, dirs.root) : localStorage(localFolder(config, dirs)!);
