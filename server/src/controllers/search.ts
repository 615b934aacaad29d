import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { parse } from '../validation';
import { searchQuerySchema } from '../validation/search';
import { actorFrom } from './context';

/** GET /search: the caller's messages matching words (services/search). */
export default {
  async find(ctx: Context) {
    const query = parse(searchQuerySchema, ctx.query, 'query');
    ctx.body = await getService('search').search(await actorFrom(ctx), query);
  },
};
