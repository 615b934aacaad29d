import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, parse } from '../validation';
import { blockBodySchema, blockParams } from '../validation/trust';
import { actorFrom, pathParams, requestBody } from './context';

/** The "block users" permission: these three actions. */
export default {
  async find(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    ctx.body = { data: await getService('blocks').list(await actorFrom(ctx)) };
  },

  async create(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    const { userId } = parse(blockBodySchema, requestBody(ctx));
    const data = await getService('blocks').block(await actorFrom(ctx), userId);
    ctx.status = 201;
    ctx.body = { data };
  },

  async delete(ctx: Context) {
    const { userId } = parse(blockParams, pathParams(ctx, 'userId'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    await getService('blocks').unblock(await actorFrom(ctx), userId);
    ctx.status = 204;
  },
};
