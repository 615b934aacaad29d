import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errors } from '@strapi/utils';
import type { RequestCode } from '../contract/errors';
import { IMAGE_TYPES } from '../config/attachments';

/*
 * What an uploaded file is, decided from its bytes, and what is kept of it. No database here: the
 * attachments service calls these on the temporary file Strapi's body parser streamed to disk.
 * Images are decoded and re-encoded by sharp in libuv's thread pool (never on the event loop):
 * rotated upright, written without any metadata (EXIF, GPS, XMP, ICC comments), and thumbnailed.
 */

export const THUMBNAIL_SIZE = 320;
export const THUMBNAIL_MIME = 'image/webp';

/** MIME names clients send for the same thing. */
const ALIASES: Record<string, string> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg', 'image/x-png': 'image/png' };
export const normalizeMime = (mime: string | null | undefined) => {
  const base = (mime ?? '').split(';')[0].trim().toLowerCase();
  return ALIASES[base] ?? base;
};
/** A client header that claims nothing in particular. */
const NO_CLAIM = new Set(['', 'application/octet-stream']);

export const isImage = (mime: string) => (IMAGE_TYPES as readonly string[]).includes(mime);

/*
 * file-type is ESM only: loaded with a dynamic import, once. The import is kept out of reach of
 * compilers that would turn it into require(), which cannot load ESM here. Should it not load
 * (it is an optional peer dependency; some module loaders, e.g. a test runner's, refuse it), the
 * magic numbers of the default types below decide, and anything else is refused as unknown.
 */
type FileTypeModule = { fileTypeFromFile: (p: string) => Promise<{ mime: string } | undefined> };
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<FileTypeModule>;
let fileTypeModule: Promise<FileTypeModule | null> | undefined;
const fileType = () => (fileTypeModule ??= importEsm('file-type').catch(() => null));

const SIGNATURES: [string, (b: Buffer) => boolean][] = [
  ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['image/png', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ['image/gif', (b) => ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1'))],
  ['image/webp', (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP'],
  ['application/pdf', (b) => b.subarray(0, 5).toString('latin1') === '%PDF-'],
];
const fromSignatures = async (file: string) => {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(16), 0, 16, 0);
    const head = buffer.subarray(0, bytesRead);
    return SIGNATURES.find(([, test]) => test(head))?.[0] ?? null;
  } finally {
    await handle.close();
  }
};

/**
 * Reads a file through one 64 KiB buffer, reused for every chunk: a 10 MB upload read for its
 * checksum or its text leaves no 10 MB of chunks behind for the garbage collector. `use` sees each
 * chunk before the next read overwrites it; answering false stops the reading.
 */
const eachChunk = async (file: string, use: (chunk: Buffer) => boolean | void) => {
  const handle = await fs.promises.open(file, 'r');
  const buffer = Buffer.allocUnsafe(64 * 1024);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0 || use(buffer.subarray(0, bytesRead)) === false) return;
    }
  } finally {
    await handle.close();
  }
};

/** Whether the whole file is UTF-8 text without NUL characters. */
const isPlainText = async (file: string) => {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = true;
  try {
    await eachChunk(file, (chunk) => {
      if (chunk.includes(0)) return (text = false);
      decoder.decode(chunk, { stream: true });
    });
    if (text) decoder.decode();
    return text;
  } catch {
    return false;
  }
};

/**
 * The file's type from its bytes: file-type's magic numbers, else `text/plain` for UTF-8 text.
 * SVG and HTML are text to file-type and to us: stored as text/plain, never served inline.
 */
export const sniff = async (file: string): Promise<string | null> => {
  const detector = await fileType();
  const found = detector ? (await detector.fileTypeFromFile(file))?.mime : await fromSignatures(file);
  if (found) return normalizeMime(found);
  return (await isPlainText(file)) ? 'text/plain' : null;
};

/** Whether the client's header contradicts the bytes (a header that claims nothing never does). */
export const contradicts = (claimed: string | null | undefined, sniffed: string) => {
  const c = normalizeMime(claimed);
  return !NO_CLAIM.has(c) && c !== sniffed;
};

const tmpPath = (suffix: string) => path.join(os.tmpdir(), `pm-attachment-${randomBytes(12).toString('hex')}${suffix}`);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadSharp = () => require('sharp') as (typeof import('sharp'))['default'];

export type ProcessedImage = { file: string; thumbnail: string; width: number; height: number; size: number };

/**
 * Re-encodes an image upright and without metadata, in its own format, and makes its thumbnail.
 * Throws when the bytes do not decode as the image they claim to be.
 */
export const processImage = async (input: string, mime: string): Promise<ProcessedImage> => {
  const sharp = loadSharp();
  const animated = mime === 'image/gif' || mime === 'image/webp';
  const out = tmpPath('.img');
  const thumb = tmpPath('.thumb');
  try {
    // sharp writes no metadata unless asked (withMetadata / keepMetadata): rotate() applies the
    // EXIF orientation to the pixels first, so the picture stays upright without it.
    const base = () => sharp(input, { animated, failOn: 'error', limitInputPixels: 100_000_000 }).rotate();
    const encoded = base();
    if (mime === 'image/jpeg') encoded.jpeg({ quality: 90, mozjpeg: false });
    else if (mime === 'image/png') encoded.png();
    else if (mime === 'image/webp') encoded.webp({ quality: 90 });
    else encoded.gif();
    const info = await encoded.toFile(out);
    await base()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toFile(thumb);
    const pageHeight = (info as { pageHeight?: number }).pageHeight;
    return { file: out, thumbnail: thumb, width: info.width, height: pageHeight ?? info.height, size: info.size };
  } catch (error) {
    await removeQuietly([out, thumb]);
    throw error;
  }
};

/** The SHA-256 of a file. */
export const sha256Of = async (file: string) => {
  const hash = createHash('sha256');
  await eachChunk(file, (chunk) => void hash.update(chunk));
  return hash.digest('hex');
};

export const removeQuietly = (files: (string | null | undefined)[]) =>
  Promise.all(files.filter((f): f is string => Boolean(f)).map((f) => fs.promises.rm(f, { force: true }).catch(() => {})));

/** A random storage key, `ab/ab12…` (storage/index.ts). */
export const newStorageKey = () => {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 2)}/${hex}`;
};

/** A file name safe to show and to put in a Content-Disposition header. */
export const cleanName = (name: string | null | undefined) => {
  const base = path.basename(String(name ?? '').replace(/\\/g, '/'));
  // Control characters and quotes out; at most 255 characters.
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 255);
  return cleaned || 'file';
};

/** The 400 `unsupported_type` of the upload's file at `index`. */
export const unsupported = (index: number, mime: string | null) => {
  const message = 'is not an allowed type, or not what it claims to be';
  return new errors.ValidationError(`Unsupported file type${mime ? ` (${mime})` : ''}`, {
    code: 'unsupported_type' satisfies RequestCode,
    errors: [{ path: ['files', String(index)], message, name: 'ValidationError' }],
  });
};
