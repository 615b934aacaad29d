import { z } from 'zod';
import { ALLOW_MESSAGES_FROM, DIGEST_FREQUENCIES, EMAIL_LEVELS, PUSH_CONTENTS, PUSH_LEVELS } from '../config/defaults';
import { text } from './index';

/* Schemas of the trust-and-safety routes: blocks, preferences, reports, moderation. */

const userId = z.number().int().positive().max(2_147_483_647);

export const blockBodySchema = z.strictObject({ userId });
export const blockParams = z.strictObject({ userId: z.coerce.number().int().positive().max(2_147_483_647) });

export const preferencesBodySchema = z
  .strictObject({
    messagingEnabled: z.boolean().optional(),
    emailNotifications: z.enum(EMAIL_LEVELS).optional(),
    allowMessagesFrom: z.enum(ALLOW_MESSAGES_FROM).optional(),
    emailDigest: z.enum(DIGEST_FREQUENCIES).optional(),
    push: z.enum(PUSH_LEVELS).optional(),
    pushContent: z.enum(PUSH_CONTENTS).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'give at least one preference');

/** POST /threads/:id/decline: `block` also blocks the request's author. */
export const declineBodySchema = z.strictObject({ block: z.boolean().optional() });

export const reportBodySchema = z.strictObject({ reason: text().trim().min(1).max(1000) });

export const REPORT_STATUSES = ['open', 'resolved'] as const;
export const RESOLUTIONS = ['dismiss', 'deleteMessage', 'disableSender'] as const;

export const reportsQuerySchema = z.strictObject({
  status: z.enum(REPORT_STATUSES).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
});

export const resolveBodySchema = z.strictObject({
  action: z.enum(RESOLUTIONS),
  note: text().trim().max(2000).optional(),
});

export const suspensionsQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
});

/** A browser's PushSubscription as `subscription.toJSON()` gives it (the push service's URL, the browser's keys). */
export const pushSubscriptionBodySchema = z.strictObject({
  endpoint: z.string().max(2048).refine((u) => /^https:\/\/[^\s]+$/.test(u), 'must be an https: URL (a push service)'),
  keys: z.strictObject({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, 'must be the browser’s P-256 public key, base64url'),
    auth: z.string().regex(/^[A-Za-z0-9_-]{16,32}={0,2}$/, 'must be the browser’s auth secret, base64url'),
  }),
  expirationTime: z.number().nullable().optional(),
});

export const pushUnsubscribeBodySchema = z.strictObject({ endpoint: z.string().max(2048) });
