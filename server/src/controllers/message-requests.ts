import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyBodySchema, emptyQuerySchema, parse, threadParams } from '../validation';
import { declineBodySchema } from '../validation/trust';
import { actorFrom, pathParams, requestBody } from './context';

/** Answering a message request (services/message-requests): accept it, or decline it (optionally blocking its author). */
export default {
  async accept(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    parse(emptyBodySchema, requestBody(ctx));
    ctx.body = { data: await getService('message-requests').accept(await actorFrom(ctx), id) };
  },

  async decline(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    const { block } = parse(declineBodySchema, requestBody(ctx));
    await getService('message-requests').decline(await actorFrom(ctx), id, block ?? false);
    ctx.status = 204;
  },
};
