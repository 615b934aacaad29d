import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, parse } from '../validation';
import { actorFrom } from './context';

/** GET /export: the caller's messaging data, one JSON document, streamed as a download. */
export default {
  async download(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    const actor = await actorFrom(ctx);
    const exporter = getService('export');
    ctx.set('Content-Disposition', `attachment; filename="${exporter.fileName(actor.id)}"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = exporter.stream(actor.id);
  },
};
