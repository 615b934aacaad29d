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
import { byContextQuerySchema } from '../validation/contexts';
import { validationError } from '../utils/errors';
import { actorFrom, idempotencyKeyOf, pathParams, requestBody } from './context';

/** Threads of the caller: thin handlers that validate, call one service and shape the response. */
export default {
  async find(ctx: Context) {
    const query = parse(inboxQuerySchema, ctx.query, 'query');
    const actor = await actorFrom(ctx);
    ctx.body = await getService('inbox').list(actor, query);
  },

  async create(ctx: Context) {
    // Recipients or a document to ask about (services/contexts), and the site's custom fields (services/fields).
    const parsed = parse(getService('contexts').newThreadSchema(), requestBody(ctx));
    const { context, recipients, ...body } = parsed;
    if (context && recipients) throw validationError('Invalid body: recipients must be left out with context', [{ path: ['recipients'], message: 'must be left out when asking about a document (context)' }]);
    if (!context && !recipients) throw validationError('Invalid body: recipients Required', [{ path: ['recipients'], message: 'Required (or a context to ask about)' }]);
    const key = idempotencyKeyOf(ctx);
    const actor = await actorFrom(ctx);
    const answer = await getService('idempotency').once(actor, key, { operation: 'threads.create', body: parsed }, async (recordSend) => {
      const { thread, message, refused, created } = context
        ? await getService('contexts').askAs(actor, { ...body, context }, { recordSend })
        : { ...(await getService('messaging').startThread(actor, { ...body, recipients: recipients! }, { recordSend })), created: true };
      return { status: created ? 201 : 200, body: { data: { thread, message }, meta: { refused, created } } };
    });
    ctx.status = answer.status;
    ctx.body = answer.body;
  },

  /** The caller's own thread about a document (GET /threads/by-context?uid=&documentId=). */
  async byContext(ctx: Context) {
    const { uid, documentId } = parse(byContextQuerySchema, ctx.query, 'query');
    ctx.body = await getService('contexts').threadAbout(await actorFrom(ctx), { uid, documentId });
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
