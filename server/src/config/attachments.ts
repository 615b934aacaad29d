import path from 'node:path';
import { z } from 'zod';
import { formatIssues } from './resolve';

/**
 * `attachments` in config/plugins: files and images on messages, off until the site turns them on.
 * Read from the file only, at boot (it names storage: folders and provider credentials).
 */
export type AttachmentsConfig = {
  enabled: boolean;
  /** Largest file accepted, in bytes (also set `strapi::body`'s `formidable.maxFileSize` at least this high). */
  maxSize: number;
  /** Files on one message, and in one upload request. */
  maxPerMessage: number;
  /** Types accepted, as sniffed from the bytes (never the client's header). */
  allowedTypes: string[];
  /** Staged files nobody sent are deleted after this many hours. */
  stagedHours: number;
  /** Files one user may have uploaded and not sent yet, at most (an upload past it: 409 `staged_limit`). */
  maxStagedFiles: number;
  /** Bytes one user may have uploaded and not sent yet (as stored), at most; at least `maxSize`. */
  maxStagedBytes: number;
  /** What an upload does when a registered scanner throws: refuse it (closed) or store it (open). */
  scanFailure: 'closed' | 'open';
  storage:
    | { adapter: 'local'; folder: string | null }
    | { adapter: 'provider'; provider: string; providerOptions: Record<string, unknown>; signedUrlSeconds: number };
};

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;

export const defaultAttachmentsConfig: AttachmentsConfig = {
  enabled: false,
  maxSize: 10 * 1024 * 1024,
  maxPerMessage: 10,
  allowedTypes: [...IMAGE_TYPES, 'application/pdf', 'text/plain'],
  stagedHours: 24,
  maxStagedFiles: 50,
  maxStagedBytes: 200 * 1024 * 1024,
  scanFailure: 'closed',
  storage: { adapter: 'local', folder: null },
};

const mime = z.string().regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/, 'a MIME type such as image/png');

export const attachmentsConfigSchema = z
  .strictObject({
    enabled: z.boolean(),
    maxSize: z.number().int().min(1).max(2_147_483_647),
    maxPerMessage: z.number().int().min(1).max(100),
    allowedTypes: z.array(mime).min(1).max(200),
    stagedHours: z.number().int().min(1).max(24 * 365),
    maxStagedFiles: z.number().int().min(1).max(100_000),
    maxStagedBytes: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    scanFailure: z.enum(['closed', 'open']),
    storage: z.discriminatedUnion('adapter', [
      z.strictObject({ adapter: z.literal('local'), folder: z.string().min(1).max(4096).nullable() }),
      z.strictObject({
        adapter: z.literal('provider'),
        provider: z.string().min(1).max(214),
        providerOptions: z.record(z.string(), z.unknown()),
        // A signed URL is a bearer capability: it must not outlive the minute.
        signedUrlSeconds: z.number().int().min(1).max(60),
      }),
    ]),
  })
  // An upload of maxPerMessage files fits, and so does a file of maxSize.
  .refine((c) => c.maxStagedFiles >= c.maxPerMessage, { path: ['maxStagedFiles'], message: 'must be at least maxPerMessage' })
  .refine((c) => c.maxStagedBytes >= c.maxSize, { path: ['maxStagedBytes'], message: 'must be at least maxSize' });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `attachments` of config/plugins over the defaults (arrays and `storage` replaced whole); throws when invalid. */
export const resolveAttachmentsConfig = (fileConfig: unknown): AttachmentsConfig => {
  const given = isObject(fileConfig) && isObject(fileConfig.attachments) ? fileConfig.attachments : {};
  const storage = isObject(given.storage)
    ? given.storage.adapter === 'provider'
      ? { signedUrlSeconds: 60, providerOptions: {}, ...given.storage }
      : { folder: null, ...given.storage }
    : defaultAttachmentsConfig.storage;
  const result = attachmentsConfigSchema.safeParse({ ...defaultAttachmentsConfig, ...given, storage });
  if (!result.success) {
    throw new Error(`Invalid configuration of plugin private-messages: attachments: ${formatIssues(result.error.issues)}`);
  }
  return result.data as AttachmentsConfig;
};

/**
 * The local folder: the configured one, or `<app>/private-uploads`. Never under the public folder
 * (strapi::public would serve it to anyone): that is refused at boot.
 */
export const localFolder = (config: AttachmentsConfig, dirs: { root: string; publicDir: string }) => {
  if (config.storage.adapter !== 'local') return null;
  const folder = path.resolve(dirs.root, config.storage.folder ?? 'private-uploads');
  const rel = path.relative(path.resolve(dirs.publicDir), folder);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new Error(`Invalid configuration of plugin private-messages: attachments.storage.folder must not be inside the public folder (${folder})`);
  }
  return folder;
};
