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
import { actorFrom, idempotencyKeyOf, pathParams, requestBody } from './context';

/** Threads of the caller: thin handlers that validate, call one service and shape the response. */
export default {
  async find(ctx: Context) {
    const query = parse(inboxQuerySchema, ctx.query, 'query');
    const actor = await actorFrom(ctx);
    ctx.body = await getService('inbox').list(actor, query);
  },

  async create(ctx: Context) {
    // Built from the site's custom field declarations (services/fields).
    const body = parse(getService('fields').newThreadSchema(), requestBody(ctx));
    const key = idempotencyKeyOf(ctx);
    const actor = await actorFrom(ctx);
    const answer = await getService('idempotency').once(actor, key, { operation: 'threads.create', body }, async (recordSend) => {
      const { thread, message, refused } = await getService('messaging').startThread(actor, body, { recordSend });
      return { status: 201, body: { data: { thread, message }, meta: { refused } } };
    });
    ctx.status = answer.status;
    ctx.body = answer.body;
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
    const body = parse(getService('fields').replySchema(), requestBody(ctx));
    const key = idempotencyKeyOf(ctx);
    const actor = await actorFrom(ctx);
    const answer = await getService('idempotency').once(actor, key, { operation: 'threads.reply', threadId: id, body }, async (recordSend) => ({
      status: 201,
      body: { data: await getService('messaging').addReply(actor, id, body, { recordSend }) },
    }));
    ctx.status = answer.status;
    ctx.body = answer.body;
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
