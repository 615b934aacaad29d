import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, parse } from '../validation';
import { threadActionSchema } from '../validation/tags';
import { actorFrom, requestBody } from './context';

/**
 * POST /threads/actions. A controller of its own so that bulk actions are a users-permissions
 * action of their own (`plugin::private-messages.thread-actions.apply`), granted per role.
 */
export default {
  async apply(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    const input = parse(threadActionSchema, requestBody(ctx));
    ctx.body = { data: await getService('thread-actions').apply(await actorFrom(ctx), input) };
  },
};
