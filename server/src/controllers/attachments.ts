import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { parseRange } from '../utils/range';
import { validationError } from '../utils/errors';
import { inFormOrder } from '../utils/form-positions';
import { attachmentParams, emptyQuerySchema, parse } from '../validation';
import type { UploadedFile } from '../services/attachments';
import { actorFrom, pathParams } from './context';

/** Types shown inline: raster images the plugin re-encoded itself. Everything else downloads. */
const INLINE = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

/**
 * Served bytes can never act as a page of the site: the browser must not guess another type
 * (nosniff), and were it to render one, the sandbox gives it no origin, no scripts, no requests.
 */
const setSafetyHeaders = (ctx: Context, mime: string, name: string) => {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
  ctx.set('Cache-Control', 'private, no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
  const disposition = INLINE.has(mime) ? 'inline' : 'attachment';
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  ctx.set('Content-Disposition', `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  ctx.type = mime;
};

type Opened = Awaited<ReturnType<ReturnType<typeof getService<'attachments'>>['open']>>;

/** Answers with an opened attachment: a stream (Range honoured) or a redirect to a signed URL. */
export const respondWithFile = async (ctx: Context, { attachment, file, storage }: Opened, variant: 'content' | 'thumbnail') => {
  if (storage.kind === 'provider') {
    // A signed URL minted for this request only, living at most a minute.
    ctx.set('Cache-Control', 'private, no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.status = 302;
    ctx.redirect(await storage.signedUrl!(file));
    return;
  }
  setSafetyHeaders(ctx, file.mime, variant === 'thumbnail' ? `${attachment.name}.webp` : attachment.name);
  if (variant === 'thumbnail') {
    ctx.body = storage.read!(file.key);
    return;
  }
  ctx.set('Accept-Ranges', 'bytes');
  const range = parseRange(ctx.get('Range') || undefined, file.size);
  if (range === 'unsatisfiable') {
    ctx.set('Content-Range', `bytes */${file.size}`);
    ctx.status = 416;
    ctx.body = '';
    return;
  }
  if (range) {
    ctx.status = 206;
    ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
    ctx.length = range.end - range.start + 1;
    ctx.body = storage.read!(file.key, range);
    return;
  }
  ctx.length = file.size;
  ctx.body = storage.read!(file.key);
};

const serve = async (ctx: Context, variant: 'content' | 'thumbnail') => {
  const { id } = parse(attachmentParams, pathParams(ctx, 'id'), 'path');
  parse(emptyQuerySchema, ctx.query, 'query');
  const actor = await actorFrom(ctx);
  await respondWithFile(ctx, await getService('attachments').open(actor, id, variant), variant);
};

export default {
  /** POST /attachments (multipart, field `files`): stages the caller's files. */
  async upload(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    const actor = await actorFrom(ctx);
    if (!ctx.is('multipart')) throw validationError('Expected multipart/form-data with a `files` field', [{ path: ['files'], message: 'Required (multipart)' }]);
    const raw = (ctx.request as unknown as { files?: Record<string, UploadedFile | UploadedFile[]> }).files ?? {};
    const unknown = Object.keys(raw).filter((k) => k !== 'files');
    if (unknown.length > 0) throw validationError(`Invalid body: ${unknown[0]} is not an allowed key`, unknown.map((k) => ({ path: [k], message: 'is not an allowed key' })));
    // In the order they were sent: a refused file is `files.<its place in the form>`.
    const files = inFormOrder(raw.files === undefined ? [] : Array.isArray(raw.files) ? raw.files : [raw.files]);
    ctx.status = 201;
    ctx.body = { data: await getService('attachments').upload(actor, files) };
  },

  async content(ctx: Context) {
    await serve(ctx, 'content');
  },

  async thumbnail(ctx: Context) {
    await serve(ctx, 'thumbnail');
  },
};
