import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, parse } from '../validation';
import { pushSubscriptionBodySchema, pushUnsubscribeBodySchema } from '../validation/trust';
import { actorFrom, requestBody } from './context';

/**
 * The JSON body of a DELETE: Strapi's body parser reads POST, PUT and PATCH only, so it is read
 * here (small: an endpoint URL); a body that is not JSON is left to the schema to refuse.
 */
const deleteBody = async (ctx: Context): Promise<unknown> => {
  const parsed = requestBody(ctx);
  if (parsed !== undefined && !(typeof parsed === 'object' && parsed !== null && Object.keys(parsed).length === 0)) return parsed;
  let raw = '';
  for await (const chunk of ctx.req) {
    raw += chunk;
    if (raw.length > 8192) break;
  }
  try {
    return raw ? JSON.parse(raw) : {};
  } catch {
    return {};
  }
};

/** Web push: the server's key, and the caller's browsers' subscriptions. */
export default {
  async key(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    await actorFrom(ctx);
    ctx.body = { data: { publicKey: await getService('push').publicKey() } };
  },

  async subscribe(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    const body = parse(pushSubscriptionBodySchema, requestBody(ctx));
    await getService('push').subscribe((await actorFrom(ctx)).id, body);
    ctx.status = 201;
    ctx.body = { data: { endpoint: body.endpoint } };
  },

  async unsubscribe(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    const { endpoint } = parse(pushUnsubscribeBodySchema, await deleteBody(ctx));
    await getService('push').unsubscribe((await actorFrom(ctx)).id, endpoint);
    ctx.status = 204;
  },
};
