import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, messageParams, parse } from '../validation';
import { reportBodySchema } from '../validation/trust';
import { actorFrom, pathParams, requestBody } from './context';

export default {
  /** A member reports a message of their thread to the moderators. */
  async create(ctx: Context) {
    const { id } = parse(messageParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    const { reason } = parse(reportBodySchema, requestBody(ctx));
    const data = await getService('moderation').report(await actorFrom(ctx), id, reason);
    ctx.status = 201;
    ctx.body = { data };
  },
};
