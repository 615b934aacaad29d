import { z } from 'zod';
import { ALLOW_MESSAGES_FROM, EMAIL_LEVELS, ERASURE_MODES, FORMAT_NAMES, STREAM_ADAPTERS } from './defaults';
import { isHttpUrl, isHttpUrlTemplate } from './urls';
import { EMAIL_KINDS, EMAIL_LOCALES, templateProblem, type EmailKind } from './email-templates';

/** A site's email text for `kind`: an unknown placeholder is refused, named (config/email-templates.ts). */
const emailTemplate = (kind: EmailKind) =>
  z
    .strictObject({
      subject: z.string().min(1).max(300),
      body: z.string().min(1).max(10_000),
    })
    .superRefine((t, ctx) => {
      for (const part of ['subject', 'body'] as const) {
        const problem = templateProblem(kind, t[part]);
        if (problem) ctx.addIssue({ code: 'custom', path: [part], message: problem });
      }
    })
    .nullable();

const emailTemplates = z.strictObject(
  Object.fromEntries(EMAIL_KINDS.map((kind) => [kind, emailTemplate(kind).optional()])) as Record<EmailKind, z.ZodOptional<ReturnType<typeof emailTemplate>>>
);

const tagName = z.string().regex(/^[a-z][a-z0-9]*$/, 'a lowercase HTML tag name');

const roleIds = z.array(z.number().int().positive()).max(1000);

const formatRule = z.strictObject({
  allowedTags: z.array(tagName).max(100),
  allowedAttributes: z.record(z.string(), z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).max(50)),
});

/** The fields of the settings, each on its own (the admin panel may send any subset). */
export const settingsFieldsSchema = z.strictObject({
    allowedSenderRoles: roleIds,
    roleWritingRoles: roleIds,
    unblockableRoles: roleIds,
    viewDeletedRoles: roleIds,
    purgeDeletedAfterDays: z.number().int().min(0).max(36_500),
    rateLimit: z.strictObject({
      max: z.number().int().min(0).max(100_000),
      windowSeconds: z.number().int().min(1).max(86_400),
    }),
    messagingEnabledByDefault: z.boolean(),
    emailNotificationsDefault: z.enum(EMAIL_LEVELS),
    threadUrlTemplate: z
      .string()
      .max(2048)
      .refine((t) => t.includes('{threadId}'), 'must contain {threadId}')
      // It becomes a link in emails: javascript: or data: there would run for the reader.
      .refine(isHttpUrlTemplate, 'must be an absolute http: or https: URL once {threadId} is filled in'),
    moderatorEmails: z.array(z.email()).max(50),
    formats: z.strictObject({
      plain_text: formatRule,
      basic_html: formatRule,
      full_html: formatRule,
    }),
    enabledFormats: z.array(z.enum(FORMAT_NAMES)).min(1),
    defaultFormat: z.enum(FORMAT_NAMES),
    maxBodyLength: z.number().int().min(1).max(1_000_000),
    maxRecipients: z.number().int().min(1).max(100_000),
    avatarField: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).nullable(),
    // Sent out as every avatar-less user's avatarUrl (z.url() alone would take javascript: too).
    defaultAvatarUrl: z.string().max(2048).refine(isHttpUrl, 'must be an absolute http: or https: URL').nullable(),
    allowMessagesFromDefault: z.enum(ALLOW_MESSAGES_FROM),
    messageRequests: z.boolean(),
    requestMessageLimit: z.number().int().min(1).max(100),
    newAccountDays: z.number().int().min(0).max(3650),
    newAccountDailyThreads: z.number().int().min(0).max(100_000),
    strangerDailyThreads: z.number().int().min(0).max(100_000),
    erasure: z.enum(ERASURE_MODES),
    auditRetentionDays: z.number().int().min(1).max(36_500),
    // Up to a day: beyond that, a digest is the better tool.
    emailDelaySeconds: z.number().int().min(0).max(86_400),
    emailLocale: z.enum(EMAIL_LOCALES),
    emailTemplates,
});

/** The shape every source of settings (config/plugins, the admin panel) must have once merged. */
export const pluginConfigSchema = settingsFieldsSchema.refine((c) => c.enabledFormats.includes(c.defaultFormat), {
    message: 'defaultFormat must be one of enabledFormats',
    path: ['defaultFormat'],
  });

/** `realtime` in config/plugins (config/defaults.ts, RealtimeConfig): bounds that keep one instance safe. */
export const realtimeConfigSchema = z.strictObject({
  adapter: z.enum(STREAM_ADAPTERS),
  redis: z.strictObject({ url: z.string().max(2048).nullable(), channel: z.string().min(1).max(128) }),
  postgres: z.strictObject({
    connectionString: z.string().max(2048).nullable(),
    // An SQL identifier: LISTEN takes no parameter.
    channel: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lowercase SQL identifier'),
  }),
  maxStreamsPerUser: z.number().int().min(1).max(100),
  maxStreams: z.number().int().min(1).max(1_000_000),
  heartbeatSeconds: z.number().int().min(5).max(300),
  ticketSeconds: z.number().int().min(30).max(86_400),
  ticketsPerMinute: z.number().int().min(1).max(10_000),
  maxTicketsPerUser: z.number().int().min(1).max(10_000),
  // "Stops receiving within a minute": never checked less often.
  recheckSeconds: z.number().int().min(1).max(60),
  replayEvents: z.number().int().min(0).max(10_000),
  replaySeconds: z.number().int().min(0).max(3600),
  pollIntervalMs: z.number().int().min(50).max(60_000),
  retryMs: z.number().int().min(100).max(600_000),
});

/**
 * `adminUrl` in config/plugins: the admin panel's public address, for the link in report emails.
 * An email is read far from the server, so only an absolute http(s) URL is accepted.
 */
export const adminUrlSchema = z.string().max(2048).refine(isHttpUrl, 'must be an absolute http: or https: URL').nullable();
