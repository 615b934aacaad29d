import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { documentId, emptyQuerySchema, parse } from '../validation';
import { reportsQuerySchema, resolveBodySchema } from '../validation/trust';
import { pathParams, requestBody } from './context';
import { z } from 'zod';
import { respondWithFile } from './attachments';

const reportParams = z.strictObject({ id: documentId });
const reportAttachmentParams = z.strictObject({ id: documentId, attachmentId: documentId });

/** Admin API: the moderation queue (guarded by the reports.manage RBAC action). */
export default {
  async find(ctx: Context) {
    const page = await getService('moderation').list(parse(reportsQuerySchema, ctx.query, 'query'));
    // Reading a report shows message content: one audit entry per report with a message, written before the answer.
    const shown = page.data.filter((r: any) => r.message);
    if (shown.length > 0) {
      await getService('audit').record(
        ctx.state.user,
        shown.map((r: any) => ({ action: 'report.view' as const, reportId: r.id, messageId: r.message.id, threadId: r.thread?.id ?? null, userId: r.message.author?.id ?? null }))
      );
    }
    ctx.body = page;
  },

  async resolve(ctx: Context) {
    const { id } = parse(reportParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    const body = parse(resolveBodySchema, requestBody(ctx));
    ctx.body = { data: await getService('moderation').resolve(id, body, ctx.state.user.id) };
  },

  /** A file of the reported message, served as to members (nosniff, sandbox, download unless an image). */
  async attachment(ctx: Context) {
    const { id, attachmentId } = parse(reportAttachmentParams, pathParams(ctx, 'id', 'attachmentId'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    const opened = await getService('attachments').openForReport(ctx.state.user.id, id, attachmentId);
    // Reading a file is reading message content: audited before the bytes leave.
    await getService('audit').record(ctx.state.user, [
      { action: 'attachment.view', reportId: id, messageId: opened.message.messageId, userId: opened.message.authorId },
    ]);
    await respondWithFile(ctx, opened, 'content');
  },
};
