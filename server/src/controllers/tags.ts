import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyBodySchema, emptyQuerySchema, parse, threadParams } from '../validation';
import { tagBodySchema, tagParams, threadTagsSchema } from '../validation/tags';
import { actorFrom, pathParams, requestBody } from './context';

/** The caller's own tags, and which of them are on a thread. */
export default {
  async find(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    ctx.body = { data: await getService('tags').list(await actorFrom(ctx)) };
  },

  async create(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    const { name } = parse(tagBodySchema, requestBody(ctx));
    const tag = await getService('tags').create(await actorFrom(ctx), name);
    ctx.status = 201;
    ctx.body = { data: tag };
  },

  async update(ctx: Context) {
    const { id } = parse(tagParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    const { name } = parse(tagBodySchema, requestBody(ctx));
    ctx.body = { data: await getService('tags').rename(await actorFrom(ctx), id, name) };
  },

  async delete(ctx: Context) {
    const { id } = parse(tagParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    parse(emptyBodySchema, requestBody(ctx));
    await getService('tags').remove(await actorFrom(ctx), id);
    ctx.status = 204;
  },

  /** PUT /threads/:id/tags: `{tags: [tagId]}` becomes the caller's tags on the thread; answers the thread. */
  async setOnThread(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    const { tags } = parse(threadTagsSchema, requestBody(ctx));
    ctx.body = { data: await getService('tags').setThreadTags(await actorFrom(ctx), id, tags) };
  },
};
