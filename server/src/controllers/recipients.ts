import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, parse, recipientsQuerySchema, userParams } from '../validation';
import { actorFrom, pathParams } from './context';

export default {
  /** Autocomplete of users the caller may write to. */
  async search(ctx: Context) {
    const { q, limit } = parse(recipientsQuerySchema, ctx.query, 'query');
    const actor = await actorFrom(ctx);
    ctx.body = { data: await getService('people').search(actor, q, limit ?? 10) };
  },

  /** Whether the caller may write to a user, and every reason why not. */
  async canMessage(ctx: Context) {
    const { userId } = parse(userParams, pathParams(ctx, 'userId'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    const actor = await actorFrom(ctx);
    ctx.body = { data: await getService('messaging').canMessage(actor, userId) };
  },
};
