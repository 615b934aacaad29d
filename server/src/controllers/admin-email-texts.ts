import type { Context } from 'koa';
import { z } from 'zod';
import { EMAIL_KINDS, EMAIL_LOCALES } from '../config/email-templates';
import { getService } from '../utils/get-service';
import { validationError } from '../utils/errors';
import { emptyQuerySchema, parse } from '../validation';
import { requestBody } from './context';

const textsBodySchema = z.strictObject({
  kind: z.enum(EMAIL_KINDS),
  subject: z.string().max(300).optional(),
  body: z.string().max(10_000).optional(),
  locale: z.enum(EMAIL_LOCALES).optional(),
});

/** Admin API: the email texts' defaults, preview and test email (settings.read / settings.update). */
export default {
  async defaults(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    ctx.body = { data: getService('email-texts').defaults() };
  },

  async preview(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    ctx.body = { data: await getService('email-texts').preview(parse(textsBodySchema, requestBody(ctx))) };
  },

  async test(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    const input = parse(textsBodySchema, requestBody(ctx));
    const to = ctx.state.user?.email as string | undefined;
    if (!to) throw validationError('Your admin account has no email address to send the test to');
    ctx.body = { data: await getService('email-texts').sendTest(input, to) };
  },
};
