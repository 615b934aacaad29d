import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyBodySchema, emptyQuerySchema, parse } from '../validation';
import { streamQuerySchema } from '../contract/stream';
import { actorFrom, requestBody } from './context';


/**
 * When the Bearer JWT of this request expires (epoch ms), or null. users-permissions has verified
 * the token by now; only its `exp` claim is read here.
 */
const bearerExpiry = (ctx: Context): number | null => {
  const [scheme, token] = (ctx.get('authorization') || '').split(/\s+/);
  if (scheme?.toLowerCase() !== 'bearer' || !token) return null;
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
};

/** GET /stream (Server-Sent Events) and POST /stream/tickets (docs/api.md, *Real-time stream*). */
export default {
  async connect(ctx: Context) {
    const query = parse(streamQuerySchema, ctx.query, 'query');
    const actor = await actorFrom(ctx);
    const ticketExpiry = ctx.state.streamCredentialExpiresAt as number | undefined;
    await getService('stream').open(ctx, actor.id, ticketExpiry ?? bearerExpiry(ctx), query.lastEventId);
    // An open stream keeps its Koa context for hours: let go of what authentication left there (the
    // user with their role, a CASL ability of every grant), which would be most of its memory.
    ctx.state.user = undefined;
    ctx.state.auth = undefined;
  },

  async ticket(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    parse(emptyBodySchema, requestBody(ctx));
    const actor = await actorFrom(ctx);
    ctx.body = { data: await getService('stream').issueTicket(actor.id, bearerExpiry(ctx)) };
  },
};
