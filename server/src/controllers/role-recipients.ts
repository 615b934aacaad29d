import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, parse } from '../validation';
import { actorFrom } from './context';

/**
 * Its action, `plugin::private-messages.role-recipients.find`, is the "send messages to roles"
 * permission: only roles holding it may put `{type: "role"}` recipients in a message.
 */
export default {
  async find(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    ctx.body = { data: await getService('people').writableRoles(await actorFrom(ctx)) };
  },
};
