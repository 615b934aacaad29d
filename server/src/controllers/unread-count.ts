import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, parse } from '../validation';
import { actorFrom } from './context';

export default {
  async count(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    ctx.body = { data: await getService('read-state').unreadCount(await actorFrom(ctx)) };
  },
};
