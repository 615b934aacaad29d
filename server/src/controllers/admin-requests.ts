import type { Context } from 'koa';
import { z } from 'zod';
import { getService } from '../utils/get-service';
import { parse } from '../validation';

export const requestStatsQuerySchema = z.strictObject({ days: z.coerce.number().int().min(1).max(90).optional() });

/**
 * Admin API: message requests per sender over the last `days` days (default 7), for spotting a
 * spammer: those declined with a block first (guarded by the reports.manage RBAC action).
 */
export default {
  async stats(ctx: Context) {
    const { days = 7 } = parse(requestStatsQuerySchema, ctx.query, 'query');
    ctx.body = { data: await getService('message-requests').moderationStats(days), meta: { days } };
  },
};
