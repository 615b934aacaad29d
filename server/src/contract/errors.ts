import { z } from 'zod';
import { contractSchemas, refusalSchema } from './responses';

/*
 * Strapi's error shape and the machine-readable codes the plugin puts in it. A front end switches
 * on `error.details.refused[].code` (per recipient) or `error.details.code` (the whole request).
 */

/** Per-recipient refusals of the send gate (services/send-gate.ts, services/guards.ts); a guard may add its own. */
export const REFUSAL_CODES = [
  'role_not_allowed',
  'no_permission',
  'sender_suspended',
  'sender_disabled',
  'recipient_disabled',
  'recipient_cannot_read',
  'blocked',
  'self',
  'unknown_recipient',
  'role_send_not_allowed',
  'recipient_contacts_only',
  'recipient_not_accepting',
  'request_pending',
  'guard_failed',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** `details.code` of refusals that concern the whole request rather than one recipient. */
export const REQUEST_CODES = [
  'max_recipients', 'rate_limited', 'unblockable', 'unknown_author', 'idempotency_key_reused', 'unavailable', 'outcome_unknown', 'own_document', 'no_owner',
  'new_account_limit', 'stranger_limit', 'request_pending', 'not_a_request', 'unsupported_type', 'infected', 'scan_failed', 'staged_limit',
] as const;
export type RequestCode = (typeof REQUEST_CODES)[number];

/** Any machine-readable code of an error: a refused recipient's, or the whole request's. */
export type ErrorCode = RefusalCode | RequestCode;

export const ERROR_NAMES = {
  400: 'ValidationError',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  409: 'ConflictError',
  413: 'PayloadTooLargeError',
  422: 'UnprocessableEntityError',
  429: 'RateLimitError',
  503: 'ServiceUnavailableError',
} as const;
export type ErrorStatus = keyof typeof ERROR_NAMES;

export const validationIssueSchema = z.strictObject({
  path: z.array(z.string()),
  message: z.string(),
  name: z.string(),
});

export const errorDetailsSchema = z
  .looseObject({
    errors: z.array(validationIssueSchema).optional().describe('400: one entry per offending path'),
    refused: z.array(refusalSchema).optional().describe(`403: every refused recipient; codes: ${REFUSAL_CODES.join(', ')}, or a guard's own`),
    code: z.string().optional().describe(`the rule that refused the whole request: ${REQUEST_CODES.join(', ')}`),
    limit: z.number().int().optional().describe('max_recipients: the limit'),
    retryAfter: z.number().int().optional().describe('rate_limited, new_account_limit, stranger_limit, unavailable, outcome_unknown: seconds to wait (also the Retry-After header)'),
    staged: z
      .strictObject({ files: z.number().int(), bytes: z.number().int(), maxFiles: z.number().int(), maxBytes: z.number().int() })
      .optional()
      .describe('staged_limit: the files the caller has uploaded and not sent (how many, their bytes), and the caps (attachments.maxStagedFiles, maxStagedBytes)'),
    tag: z.strictObject({ id: z.string(), name: z.string() }).optional().describe('409 on a tag name: the tag that has it'),
    threadIds: z.array(z.string()).optional().describe('404 of a bulk action: the thread ids the caller may not act on'),
    tagIds: z.array(z.string()).optional().describe('404 of a bulk action or thread tags: the tag ids that are not the caller’s'),
  })
  .register(contractSchemas, { id: 'ErrorDetails' });

/** `{data: null, error: {status, name, message, details}}`, every 4xx answer. */
export const errorResponseSchema = z
  .strictObject({
    data: z.null(),
    error: z.strictObject({
      status: z.number().int(),
      name: z.string(),
      message: z.string(),
      details: errorDetailsSchema,
    }),
  })
  .register(contractSchemas, { id: 'Error' });

export type ErrorDetails = z.infer<typeof errorDetailsSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
