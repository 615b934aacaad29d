import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, messageParams, parse } from '../validation';
import { actorFrom, pathParams } from './context';

/**
 * Its action, `plugin::private-messages.deleted-message.view`, is the "view deleted messages"
 * permission: a role holding it sees deleted bodies everywhere, and may fetch one here.
 */
export default {
  async view(ctx: Context) {
    const { id } = parse(messageParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    ctx.body = { data: await getService('inbox').getMessage(await actorFrom(ctx), id) };
  },
};
