import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, messageParams, parse } from '../validation';
import { actorFrom, pathParams } from './context';

export default {
  /** Soft-deletes one of the caller's own messages. */
  async remove(ctx: Context) {
    const { id } = parse(messageParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    await getService('messaging').deleteOwnMessage(await actorFrom(ctx), id);
    ctx.status = 204;
  },
};
