import type { z } from 'zod';
import type { contentApiContract } from '../../server/src/contract/routes';
import type { streamContract, streamEventSchema } from '../../server/src/contract/stream';
import type * as schemas from '../../server/src/contract/responses';
import type { ErrorDetails as ServerErrorDetails, RefusalCode, RequestCode } from '../../server/src/contract/errors';

/*
 * Every type of the client comes from the schemas the server validates with and answers with
 * (server/src/contract): `import type` only, so none of them, nor zod, is in the client's bundle.
 * The client package's published declarations are these types written out (scripts/build-client.js),
 * so a front end needs neither zod nor the server's sources. Shapes are interfaces: an editor shows
 * `Thread`, not its members.
 */

type Contract = (typeof contentApiContract)[number] | (typeof streamContract)[number];
export type Operation = Contract['operation'];
type RouteOf<O extends Operation> = Extract<Contract, { operation: O }>;

/** Path parameters, as the server reads them. */
export type ParamsOf<O extends Operation> = RouteOf<O> extends { params: infer P extends z.ZodType } ? z.output<P> : never;
/** Query parameters, as the server reads them after coercion (numbers, `unread: true`). */
export type QueryOf<O extends Operation> = RouteOf<O> extends { query: infer Q extends z.ZodType } ? z.output<Q> : never;
/** The JSON body the route takes. */
export type BodyOf<O extends Operation> = RouteOf<O> extends { body: infer B extends z.ZodType } ? z.input<B> : never;
/** The answer's `{data, meta}` envelope, or void for 204 routes. */
export type ResponseOf<O extends Operation> = RouteOf<O> extends { response: infer R extends keyof typeof schemas.responses }
  ? WithCodes<z.output<(typeof schemas.responses)[R]>>
  : void;

/**
 * Refusals inside answers (a send's `meta.refused`, can-message's `reasons`) with `code` typed as
 * the server's list, like an error's.
 */
type WithCodes<T> = T extends { code: string; message: string }
  ? { [K in keyof T]: K extends 'code' ? RefusalCode : T[K] }
  : T extends readonly (infer E)[]
    ? WithCodes<E>[]
    : T extends object
      ? { [K in keyof T]: WithCodes<T[K]> }
      : T;

export interface UserSummary extends z.output<typeof schemas.userSummarySchema> {}
export interface Participant extends z.output<typeof schemas.participantSchema> {}
export interface RoleSummary extends z.output<typeof schemas.roleSummarySchema> {}
export interface Tag extends z.output<typeof schemas.tagSchema> {}
export interface Thread extends z.output<typeof schemas.threadSchema> {}
export interface ThreadWithMessages extends z.output<typeof schemas.threadWithMessagesSchema> {}
export interface Message extends z.output<typeof schemas.messageSchema> {}
/** A file on a message (its `url` needs the caller’s credentials: client.attachments.content). */
export interface Attachment extends z.output<typeof schemas.attachmentSchema> {}
/** One refused recipient: `code` is one of the send gate's codes (a site's own guard's code: see PrivateMessagesError). */
export interface Refusal extends Omit<z.output<typeof schemas.refusalSchema>, 'code'> {
  code: RefusalCode;
}
export interface BlockedUser extends z.output<typeof schemas.blockedUserSchema> {}
export interface Preferences extends z.output<typeof schemas.preferencesSchema> {}
export interface UnreadCount extends z.output<typeof schemas.unreadCountSchema> {}
export interface Report extends z.output<typeof schemas.reportSchema> {}
export type RecipientCandidate = z.output<typeof schemas.recipientCandidateSchema>;
export interface StreamTicket extends z.output<typeof schemas.streamTicketSchema> {}
export type StreamEvent = z.output<typeof streamEventSchema>;
export type StreamEventName = StreamEvent['event'];

export type NewThread = BodyOf<'threads.create'>;
export type Reply = BodyOf<'threads.reply'>;
export type InboxQuery = QueryOf<'threads.list'>;
export type BulkAction = BodyOf<'threads.bulk'>;

/** `error.details` of a refusal: `code` for the whole request, `refused` per recipient. */
export interface ErrorDetails extends ServerErrorDetails {
  code?: RequestCode;
  refused?: Refusal[];
}

/** Every machine-readable code of an error: a refused recipient's, or the whole request's. */
export type ErrorCode = RefusalCode | RequestCode;

export type { RefusalCode, RequestCode };

/** A custom field's value (the plugin config's `fields` declarations). */
export type FieldValue = string | number | boolean;

/**
 * A site's own custom fields, as its config/plugins declares them, for the client's type
 * parameter: `createPrivateMessagesClient<{ thread: { orderId: string }; message: { priority: 'low' | 'high' } }>(...)`.
 */
export type SiteFields = { thread?: Record<string, FieldValue>; message?: Record<string, FieldValue> };

/** The values of the site's fields of one kind (every one may be missing); any field when undeclared. */
export type FieldsOf<F extends SiteFields, K extends keyof SiteFields> = F extends { [P in K]-?: infer V extends object }
  ? Partial<V>
  : Record<string, FieldValue>;

/**
 * A value of the API with `fields` typed as the site declares them (Thread: `folder`; Message:
 * `threadId`). With no fields declared it is the value itself, so an answer still shows `Thread`;
 * asking that first also keeps `WithSiteFields<…, F>` by its name in the client's declarations.
 */
export type WithSiteFields<T, F extends SiteFields> = SiteFields extends F ? T : FieldsTyped<T, F>;
type FieldsTyped<T, F extends SiteFields> = T extends (infer U)[]
  ? FieldsTyped<U, F>[]
  : T extends { folder: unknown; fields: unknown }
    ? { [K in keyof T]: K extends 'fields' ? FieldsOf<F, 'thread'> : FieldsTyped<T[K], F> }
    : T extends { threadId: unknown; fields: unknown }
      ? { [K in keyof T]: K extends 'fields' ? FieldsOf<F, 'message'> : FieldsTyped<T[K], F> }
      : T extends object
        ? { [K in keyof T]: FieldsTyped<T[K], F> }
        : T;

type Input<V> = { [K in keyof V]?: V[K] | null };
/** POST /threads' body with the site's fields. */
export type NewThreadWithFields<F extends SiteFields> = Omit<NewThread, 'fields' | 'messageFields'> & {
  fields?: Input<FieldsOf<F, 'thread'>>;
  messageFields?: Input<FieldsOf<F, 'message'>>;
};
/** A reply's body with the site's fields. */
export type ReplyWithFields<F extends SiteFields> = Omit<Reply, 'fields'> & { fields?: Input<FieldsOf<F, 'message'>> };
