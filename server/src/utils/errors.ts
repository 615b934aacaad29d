import path from 'node:path';
import { errors } from '@strapi/utils';
import type { ErrorCode } from '../contract/errors';

export type RecipientRef = { type: 'user' | 'role'; id: number };
export type Refusal = { recipient: RecipientRef; code: string; message: string };

export const notFound = (what: 'Thread' | 'Message' | 'Tag' | 'Report' | 'User' | 'Suspension' = 'Thread') =>
  new errors.NotFoundError(`${what} not found`);

export type ErrorItem = { path: string[]; message: string };

/** An error's `details`: its `code` is one of the contract's (contract/errors.ts), so a misspelt one does not compile. */
export type CodedDetails = { code?: ErrorCode; [key: string]: unknown };

export const validationError = (message: string, items: ErrorItem[] = []) =>
  new errors.ValidationError(message, {
    errors: items.map((e) => ({ ...e, name: 'ValidationError' })),
  });

/*
 * Strapi's authorization middleware wraps the controller and turns any ForbiddenError thrown below
 * it into a bare "Forbidden" with no details, except a PolicyError, which it lets through. Our 403s
 * carry reasons the caller needs (which recipient, which code), so they are PolicyErrors that keep
 * the contract's name, ForbiddenError.
 */
class DetailedForbiddenError extends errors.PolicyError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, details);
    (this as { name: string }).name = 'ForbiddenError';
  }
}

export const forbidden = (message: string, details: CodedDetails = {}) =>
  new DetailedForbiddenError(message, details);

/** 403 listing every refused recipient with its reason code (the contract's `details.refused`). */
export const refusedError = (refused: Refusal[]) =>
  forbidden(
    refused.length === 0
      ? 'Nobody can receive this message'
      : refused.length === 1
        ? refused[0].message
        : `${refused.length} recipients cannot receive this message`,
    { refused }
  );

export const payloadTooLarge = (message: string) => new errors.PayloadTooLargeError(message);

/*
 * Strapi's error middleware renders `errors.HttpError` instances in its error shape with their own
 * status. @strapi/utils re-exports http-errors' base class, so a 409 must come from that very copy
 * of http-errors, hence loading it next to @strapi/utils rather than from our own dependency tree.
 */
type CreateHttpError = (status: number, message: string) => Error & { status: number };
const createHttpError: CreateHttpError = require(
  require.resolve('http-errors', { paths: [path.dirname(require.resolve('@strapi/utils'))] })
);

export const conflict = (message: string, details: CodedDetails = {}) =>
  Object.assign(createHttpError(409, message), { details });


/** 503: the database gave up on the request for a passing reason; the client tries again after `Retry-After`. */
export const serviceUnavailable = (message: string, details: CodedDetails = {}) =>
  Object.assign(createHttpError(503, message), { details });

/** 422: the request is well formed but cannot be done as asked (an idempotency key reused for another request). */
export const unprocessable = (message: string, details: CodedDetails = {}) =>
  Object.assign(createHttpError(422, message), { details });

/** 429: a limit on sends; `retryAfter` seconds (the Retry-After middleware sends them as the header too). */
export const rateLimited = (message: string, details: CodedDetails & { retryAfter: number }) => new errors.RateLimitError(message, details);
