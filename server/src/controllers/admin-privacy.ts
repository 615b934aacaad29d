import type { Context } from 'koa';
import { z } from 'zod';
import { ERASURE_MODES } from '../config/defaults';
import { getService } from '../utils/get-service';
import { documentId, emptyQuerySchema, parse, text } from '../validation';
import { pathParams, requestBody } from './context';

const userParams = z.strictObject({ id: z.coerce.number().int().positive().max(2_147_483_647) });
const eraseBody = z.strictObject({ mode: z.enum(ERASURE_MODES).optional() });
const threadParams = z.strictObject({ id: documentId });
const openQuery = z.strictObject({ reason: text().trim().min(3, 'a reason is required to open a thread').max(1000) });

/**
 * Admin API of privacy requests (privacy.manage) and investigations (reports.manage). Every read
 * of message content writes an audit entry before the content is sent (services/audit.ts).
 */
export default {
  async erase(ctx: Context) {
    const { id } = parse(userParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    const { mode } = parse(eraseBody, requestBody(ctx) ?? {});
    const admin = ctx.state.user;
    await getService('privacy').erase(id, { mode, admin: { id: admin.id, name: adminNameOf(admin) } });
    ctx.status = 204;
  },

  async export(ctx: Context) {
    const { id } = parse(userParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    await getService('privacy').assertUser(id);
    await getService('audit').record(ctx.state.user, [{ action: 'user.export', userId: id }]);
    const exporter = getService('export');
    ctx.set('Content-Disposition', `attachment; filename="${exporter.fileName(id)}"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = exporter.stream(id);
  },

  async openThread(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    const { reason } = parse(openQuery, ctx.query, 'query');
    ctx.body = { data: await getService('privacy').openThread(id, reason, ctx.state.user) };
  },
};

const adminNameOf = (admin: { id: number; firstname?: string; lastname?: string; email?: string }) =>
  [admin.firstname, admin.lastname].filter(Boolean).join(' ') || admin.email || `admin ${admin.id}`;
