import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, parse } from '../validation';
import { preferencesBodySchema } from '../validation/trust';
import { actorFrom, requestBody } from './context';

export default {
  async find(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    ctx.body = { data: await getService('preferences').get((await actorFrom(ctx)).id) };
  },

  async update(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    const changes = parse(preferencesBodySchema, requestBody(ctx));
    ctx.body = { data: await getService('preferences').update((await actorFrom(ctx)).id, changes) };
  },
};
