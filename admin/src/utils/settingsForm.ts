import type { MessageDescriptor } from 'react-intl';
import { FORMAT_NAMES, type EmailLevel, type FormatName, type Settings } from '../api';
import { isHttpUrl, isHttpUrlTemplate } from '../../../server/src/config/urls';
import { getTrad } from './getTrad';

/**
 * The settings form: what the inputs hold (strings for lists typed as text, role ids as strings for
 * the selects), the conversion both ways, and the same bounds as the server's schema
 * (server/src/config/schema.ts), checked before anything is sent.
 */
export type FormatFields = { allowedTags: string; allowedAttributes: string };

export type FormValues = {
  allowedSenderRoles: string[];
  roleWritingRoles: string[];
  unblockableRoles: string[];
  viewDeletedRoles: string[];
  purgeDeletedAfterDays: number | undefined;
  rateLimitMax: number | undefined;
  rateLimitWindowSeconds: number | undefined;
  messagingEnabledByDefault: boolean;
  emailNotificationsDefault: EmailLevel;
  threadUrlTemplate: string;
  moderatorEmails: string;
  enabledFormats: FormatName[];
  defaultFormat: FormatName;
  formats: Record<FormatName, FormatFields>;
  maxBodyLength: number | undefined;
  maxRecipients: number | undefined;
  avatarField: string;
  defaultAvatarUrl: string;
  allowMessagesFromDefault: Settings['allowMessagesFromDefault'];
  messageRequests: boolean;
  requestMessageLimit: number | undefined;
  newAccountDays: number | undefined;
  newAccountDailyThreads: number | undefined;
  strangerDailyThreads: number | undefined;
  erasure: 'anonymize' | 'delete';
  auditRetentionDays: number | undefined;
};

/** An error to show under a field: a translation (client checks) or the server's own words. */
export type FieldError = (MessageDescriptor & { values?: Record<string, string | number> }) | string;
export type FormErrors = Record<string, FieldError>;

/** Bounds of the numeric settings (the server's schema). */
export const BOUNDS = {
  maxRecipients: { min: 1, max: 100_000 },
  maxBodyLength: { min: 1, max: 1_000_000 },
  'rateLimit.max': { min: 0, max: 100_000 },
  'rateLimit.windowSeconds': { min: 1, max: 86_400 },
  purgeDeletedAfterDays: { min: 0, max: 36_500 },
  requestMessageLimit: { min: 1, max: 100 },
  newAccountDays: { min: 0, max: 3650 },
  newAccountDailyThreads: { min: 0, max: 100_000 },
  strangerDailyThreads: { min: 0, max: 100_000 },
  auditRetentionDays: { min: 1, max: 36_500 },
} as const;

const TAG_NAME = /^[a-z][a-z0-9]*$/;
const ATTRIBUTE_NAME = /^[a-z][a-z0-9-]*$/;
const AVATAR_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const words = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((w) => w.trim())
    .filter(Boolean);

export const attributesToText = (attributes: Record<string, string[]>) =>
  Object.entries(attributes)
    .map(([tag, attrs]) => `${tag}: ${attrs.join(', ')}`)
    .join('\n');

export const toFormValues = (s: Settings): FormValues => ({
  allowedSenderRoles: s.allowedSenderRoles.map(String),
  roleWritingRoles: s.roleWritingRoles.map(String),
  unblockableRoles: s.unblockableRoles.map(String),
  viewDeletedRoles: s.viewDeletedRoles.map(String),
  purgeDeletedAfterDays: s.purgeDeletedAfterDays,
  rateLimitMax: s.rateLimit.max,
  rateLimitWindowSeconds: s.rateLimit.windowSeconds,
  messagingEnabledByDefault: s.messagingEnabledByDefault,
  emailNotificationsDefault: s.emailNotificationsDefault,
  threadUrlTemplate: s.threadUrlTemplate,
  moderatorEmails: s.moderatorEmails.join('\n'),
  enabledFormats: [...s.enabledFormats],
  defaultFormat: s.defaultFormat,
  formats: Object.fromEntries(
    FORMAT_NAMES.map((f) => [
      f,
      {
        allowedTags: s.formats[f].allowedTags.join(', '),
        allowedAttributes: attributesToText(s.formats[f].allowedAttributes),
      },
    ]),
  ) as Record<FormatName, FormatFields>,
  maxBodyLength: s.maxBodyLength,
  maxRecipients: s.maxRecipients,
  avatarField: s.avatarField ?? '',
  defaultAvatarUrl: s.defaultAvatarUrl ?? '',
  allowMessagesFromDefault: s.allowMessagesFromDefault,
  messageRequests: s.messageRequests,
  requestMessageLimit: s.requestMessageLimit,
  newAccountDays: s.newAccountDays,
  newAccountDailyThreads: s.newAccountDailyThreads,
  strangerDailyThreads: s.strangerDailyThreads,
  erasure: s.erasure,
  auditRetentionDays: s.auditRetentionDays,
});

const msg = (id: string, defaultMessage: string, values?: Record<string, string | number>): FieldError => ({
  id: getTrad(id),
  defaultMessage,
  values,
});

/** Converts and checks the form; `errors` is keyed by the settings path (`rateLimit.max`, `formats.basic_html.allowedTags`). */
export const fromFormValues = (v: FormValues): { settings: Settings; errors: FormErrors } => {
  const errors: FormErrors = {};

  const integer = (path: keyof typeof BOUNDS, value: number | undefined) => {
    const { min, max } = BOUNDS[path];
    if (value === undefined || Number.isNaN(value)) {
      errors[path] = msg('validation.required', 'This value is required.');
      return min;
    }
    if (!Number.isInteger(value)) errors[path] = msg('validation.integer', 'Enter a whole number.');
    else if (value < min || value > max) {
      errors[path] = msg('validation.between', 'Enter a number between {min, number} and {max, number}.', { min, max });
    }
    return value;
  };

  const roles = (ids: string[]) => ids.map(Number).filter((id) => Number.isInteger(id) && id > 0);

  const formats = {} as Settings['formats'];
  for (const f of FORMAT_NAMES) {
    const tags = words(v.formats[f].allowedTags);
    const badTags = tags.filter((t) => !TAG_NAME.test(t));
    if (badTags.length > 0) {
      errors[`formats.${f}.allowedTags`] = msg('validation.tags', 'Not lowercase HTML tag names: {names}', {
        names: badTags.join(', '),
      });
    } else if (tags.length > 100) {
      errors[`formats.${f}.allowedTags`] = msg('validation.tooMany', 'At most {max, number} entries.', { max: 100 });
    }
    const attributes: Record<string, string[]> = {};
    const lines = v.formats[f].allowedAttributes
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    for (const line of lines) {
      const match = /^([a-z][a-z0-9]*|\*)\s*:\s*(.*)$/.exec(line);
      const attrs = match ? words(match[2]) : [];
      if (!match || attrs.some((a) => !ATTRIBUTE_NAME.test(a))) {
        errors[`formats.${f}.allowedAttributes`] = msg(
          'validation.attributes',
          'Write one tag per line, e.g. "a: href, title". Wrong line: {line}',
          { line },
        );
        break;
      }
      if (attrs.length > 50) {
        errors[`formats.${f}.allowedAttributes`] = msg('validation.tooMany', 'At most {max, number} entries.', {
          max: 50,
        });
        break;
      }
      attributes[match[1]] = [...new Set([...(attributes[match[1]] ?? []), ...attrs])];
    }
    formats[f] = { allowedTags: [...new Set(tags)], allowedAttributes: attributes };
  }

  if (v.enabledFormats.length === 0)
    errors.enabledFormats = msg('validation.formats.none', 'Enable at least one format.');
  if (!v.enabledFormats.includes(v.defaultFormat)) {
    errors.defaultFormat = msg('validation.formats.default', 'The default format must be one of the enabled formats.');
  }

  const emails = words(v.moderatorEmails);
  const badEmails = emails.filter((e) => !EMAIL.test(e));
  if (badEmails.length > 0) {
    errors.moderatorEmails = msg('validation.emails', 'Not valid email addresses: {emails}', {
      emails: badEmails.join(', '),
    });
  } else if (emails.length > 50) {
    errors.moderatorEmails = msg('validation.tooMany', 'At most {max, number} entries.', { max: 50 });
  }

  const template = v.threadUrlTemplate.trim();
  if (!template.includes('{threadId}')) {
    errors.threadUrlTemplate = msg('validation.threadUrl', 'The link must contain {placeholder}.', {
      placeholder: '{threadId}',
    });
  } else if (template.length > 2048) {
    errors.threadUrlTemplate = msg('validation.tooLong', 'At most {max, number} characters.', { max: 2048 });
  } else if (!isHttpUrlTemplate(template)) {
    // The server's rule (config/urls.ts): the link in emails is an absolute http(s) URL.
    errors.threadUrlTemplate = msg(
      'validation.threadUrl.http',
      'Enter a full http:// or https:// link, e.g. https://example.com/messages/{placeholder}',
      { placeholder: '{threadId}' }
    );
  }

  const avatarField = v.avatarField.trim();
  if (avatarField && !AVATAR_FIELD.test(avatarField)) {
    errors.avatarField = msg('validation.attributeName', 'Enter the name of a user attribute (letters, digits and _).');
  }
  const avatarUrl = v.defaultAvatarUrl.trim();
  if (avatarUrl) {
    // The server's rule (config/urls.ts): only absolute http(s) URLs are sent out as avatars.
    const valid = avatarUrl.length <= 2048 && isHttpUrl(avatarUrl);
    if (!valid)
      errors.defaultAvatarUrl = msg('validation.url', 'Enter a full http:// or https:// URL, e.g. https://example.com/avatar.png');
  }

  const settings: Settings = {
    allowedSenderRoles: roles(v.allowedSenderRoles),
    roleWritingRoles: roles(v.roleWritingRoles),
    unblockableRoles: roles(v.unblockableRoles),
    viewDeletedRoles: roles(v.viewDeletedRoles),
    purgeDeletedAfterDays: integer('purgeDeletedAfterDays', v.purgeDeletedAfterDays),
    rateLimit: {
      max: integer('rateLimit.max', v.rateLimitMax),
      windowSeconds: integer('rateLimit.windowSeconds', v.rateLimitWindowSeconds),
    },
    messagingEnabledByDefault: v.messagingEnabledByDefault,
    emailNotificationsDefault: v.emailNotificationsDefault,
    threadUrlTemplate: template,
    moderatorEmails: [...new Set(emails)],
    formats,
    enabledFormats: FORMAT_NAMES.filter((f) => v.enabledFormats.includes(f)),
    defaultFormat: v.defaultFormat,
    maxBodyLength: integer('maxBodyLength', v.maxBodyLength),
    maxRecipients: integer('maxRecipients', v.maxRecipients),
    avatarField: avatarField || null,
    defaultAvatarUrl: avatarUrl || null,
    allowMessagesFromDefault: v.allowMessagesFromDefault,
    messageRequests: v.messageRequests,
    requestMessageLimit: integer('requestMessageLimit', v.requestMessageLimit),
    newAccountDays: integer('newAccountDays', v.newAccountDays),
    newAccountDailyThreads: integer('newAccountDailyThreads', v.newAccountDailyThreads),
    strangerDailyThreads: integer('strangerDailyThreads', v.strangerDailyThreads),
    erasure: v.erasure === 'delete' ? 'delete' : 'anonymize',
    auditRetentionDays: integer('auditRetentionDays', v.auditRetentionDays),
  };
  return { settings, errors };
};

/**
 * Only the settings that differ from what was loaded go to the server: values that come from
 * `config/plugins` and were not touched stay governed by that file.
 */
export const changedSettings = (initial: Settings, next: Settings): Partial<Settings> => {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(next) as (keyof Settings)[]) {
    if (JSON.stringify(next[key]) !== JSON.stringify(initial[key])) out[key] = next[key];
  }
  return out as Partial<Settings>;
};

/**
 * Maps the server's `details.errors` onto the fields: a format's lists (`formats.basic_html.allowedTags`)
 * and the rate limit's two numbers by their path, every other setting by its name.
 */
export const serverErrorsToForm = (items: { path: string[]; message: string }[] = []): FormErrors => {
  const out: FormErrors = {};
  for (const { path, message } of items) {
    const [top, second, third] = path;
    const key =
      top === 'formats' && second && third
        ? `formats.${second}.${third}`
        : top === 'rateLimit'
          ? `rateLimit.${second === 'windowSeconds' ? 'windowSeconds' : 'max'}`
          : top;
    if (key && !out[key]) out[key] = message;
  }
  return out;
};
