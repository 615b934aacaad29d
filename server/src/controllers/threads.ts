import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import {
  emptyBodySchema,
  emptyQuerySchema,
  inboxQuerySchema,
  messagesQuerySchema,
  parse,
  threadParams,
  threadQuerySchema,
} from '../validation';
import { actorFrom, pathParams, requestBody } from './context';

/** Threads of the caller: thin handlers that validate, call one service and shape the response. */
export default {
  async find(ctx: Context) {
    const query = parse(inboxQuerySchema, ctx.query, 'query');
    const actor = await actorFrom(ctx);
    ctx.body = await getService('inbox').list(actor, query);
  },

  async create(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    // Built from the site's custom field declarations (services/fields).
    const body = parse(getService('fields').newThreadSchema(), requestBody(ctx));
    const actor = await actorFrom(ctx);
    const { thread, message, refused } = await getService('messaging').startThread(actor, body);
    ctx.status = 201;
    ctx.body = { data: { thread, message }, meta: { refused } };
  },

  async findOne(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    const query = parse(threadQuerySchema, ctx.query, 'query');
    ctx.body = await getService('inbox').get(await actorFrom(ctx), id, query);
  },

  async messages(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    const query = parse(messagesQuerySchema, ctx.query, 'query');
    ctx.body = await getService('inbox').listMessages(await actorFrom(ctx), id, query);
  },

  async reply(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    const body = parse(getService('fields').replySchema(), requestBody(ctx));
    const actor = await actorFrom(ctx);
    const message = await getService('messaging').addReply(actor, id, body);
    ctx.status = 201;
    ctx.body = { data: message };
  },

  async read(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    parse(emptyBodySchema, requestBody(ctx));
    ctx.body = { data: await getService('read-state').markRead(await actorFrom(ctx), id) };
  },

  async unread(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    parse(emptyBodySchema, requestBody(ctx));
    ctx.body = { data: await getService('read-state').markUnread(await actorFrom(ctx), id) };
  },

  async leave(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    parse(emptyBodySchema, requestBody(ctx));
    await getService('read-state').leave(await actorFrom(ctx), id);
    ctx.status = 204;
  },

  async archive(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    parse(emptyBodySchema, requestBody(ctx));
    ctx.body = { data: await getService('read-state').setArchived(await actorFrom(ctx), id, true) };
  },

  async unarchive(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    parse(emptyBodySchema, requestBody(ctx));
    ctx.body = { data: await getService('read-state').setArchived(await actorFrom(ctx), id, false) };
  },

  async remove(ctx: Context) {
    const { id } = parse(threadParams, pathParams(ctx, 'id'), 'path');
    parse(emptyQuerySchema, ctx.query, 'query');
    await getService('read-state').remove(await actorFrom(ctx), id);
    ctx.status = 204;
  },
};
