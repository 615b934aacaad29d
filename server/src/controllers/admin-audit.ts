import type { Context } from 'koa';
import { getService } from '../utils/get-service';

/** Admin API: the audit trail (audit.read), newest first; filters admin, user, action; `cursor` from meta.nextCursor. */
export default {
  async find(ctx: Context) {
    ctx.body = await getService('audit').list(ctx.query);
  },
};
