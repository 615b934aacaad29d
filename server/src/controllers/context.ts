import type { Context } from 'koa';
import { errors } from '@strapi/utils';
import { getService } from '../utils/get-service';
import type { Actor } from '../services/people';
import { parse, sendHeadersSchema, sendQuerySchema } from '../validation';

/** The authenticated users-permissions user behind a content-API request. */
export const actorFrom = async (ctx: Context): Promise<Actor> => {
  const user = ctx.state.user;
  if (!user) throw new errors.UnauthorizedError('Missing or invalid credentials');
  const actor = await getService('people').actorOf(user);
  if (!actor) throw new errors.UnauthorizedError('Missing or invalid credentials');
  return actor;
};

export const requestBody = (ctx: Context) => (ctx.request as unknown as { body?: unknown }).body;

/** The named route parameters only (the router also puts positional captures on ctx.params). */
export const pathParams = (ctx: Context, ...names: string[]) =>
  Object.fromEntries(names.map((name) => [name, ctx.params?.[name]]));

/** A send's key: the `Idempotency-Key` header or the `idempotencyKey` query, checked (a bad one is a 400); undefined without one. */
export const idempotencyKeyOf = (ctx: Context): string | undefined => {
  const { idempotencyKey } = parse(sendQuerySchema, ctx.query, 'query');
  return parse(sendHeadersSchema, { 'Idempotency-Key': ctx.get('Idempotency-Key') || undefined }, 'headers')['Idempotency-Key'] ?? idempotencyKey;
};
