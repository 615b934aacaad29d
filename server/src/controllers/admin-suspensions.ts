import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, parse } from '../validation';
import { blockParams, suspensionsQuerySchema } from '../validation/trust';
import { pathParams } from './context';

/** Admin API: senders suspended by moderators, and lifting it (guarded by reports.manage). */
export default {
  async find(ctx: Context) {
    ctx.body = await getService('moderation').listSuspensions(parse(suspensionsQuerySchema, ctx.query, 'query'));
  },

  async delete(ctx: Context) {
    // The same `userId` path parameter as DELETE /blocks/:userId.
    const { userId } = parse(blockParams, pathParams(ctx, 'userId'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    await getService('moderation').liftSuspension(userId, ctx.state.user.id);
    ctx.status = 204;
  },
};
