import type { Context } from 'koa';
import { errors } from '@strapi/utils';
import { streamQuerySchema } from '../contract/stream';
import { getService } from '../utils/get-service';
import { emptyBodySchema, emptyQuerySchema, parse } from '../validation';
import { actorFrom, requestBody } from './context';
import { compactSentHead, openEventStream } from './stream-response';

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
    // The header first: EventSource sends the newest id there, while its URL keeps the query it was made with.
    const lastEventId = ctx.get('last-event-id') || query.lastEventId || undefined;
    const opening = { expiresAt: ticketExpiry ?? bearerExpiry(ctx), lastEventId, resume: ctx.state.streamResume as string | undefined };
    // Let go of what authentication left on the request before the stream opens (the user with
    // their role, a CASL ability of every grant): nothing of it is needed once the user is known,
    // and an open stream keeps its request for hours.
    ctx.state.user = undefined;
    ctx.state.auth = undefined;
    ctx.state.streamResume = undefined;
    ctx.state.streamCredentialExpiresAt = undefined;
    try {
      await getService('stream').open(actor.id, opening, () => openEventStream(ctx));
      compactSentHead(ctx);
    } catch (error) {
      if (error instanceof errors.RateLimitError) ctx.set('Retry-After', String((error.details as { retryAfter: number }).retryAfter));
      throw error;
    }
  },

  async ticket(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    parse(emptyBodySchema, requestBody(ctx));
    const actor = await actorFrom(ctx);
    try {
      ctx.body = { data: await getService('stream').issueTicket(actor.id, bearerExpiry(ctx)) };
    } catch (error) {
      if (error instanceof errors.RateLimitError) ctx.set('Retry-After', String((error.details as { retryAfter: number }).retryAfter));
      throw error;
    }
  },
};
