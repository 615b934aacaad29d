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
    // Recipients or a document to ask about (services/contexts), and the site's custom fields (services/fields).
    const { context, recipients, ...body } = parse(getService('contexts').newThreadSchema(), requestBody(ctx));
    if (context && recipients) throw validationError('Invalid body: recipients must be left out with context', [{ path: ['recipients'], message: 'must be left out when asking about a document (context)' }]);
    if (!context && !recipients) throw validationError('Invalid body: recipients Required', [{ path: ['recipients'], message: 'Required (or a context to ask about)' }]);
    const actor = await actorFrom(ctx);
    const { thread, message, refused, created } = context
      ? await getService('contexts').askAs(actor, { ...body, context })
      : { ...(await getService('messaging').startThread(actor, { ...body, recipients: recipients! })), created: true };
    ctx.status = created ? 201 : 200;
    ctx.body = { data: { thread, message }, meta: { refused, created } };
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
