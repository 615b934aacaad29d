/**
 * Plugin configuration defaults. A site builder overrides them in `config/plugins.ts`
 * (`'private-messages': { config: { ... } }`); values saved from the admin panel take
 * precedence over both (see services/settings.ts, the only reader of these values).
 */
export const FORMAT_NAMES = ['plain_text', 'basic_html', 'full_html'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export type FormatRule = {
  /** Tags kept in the body; anything else is removed (its text is kept). Ignored for plain_text. */
  allowedTags: string[];
  /** Attributes kept per tag; `*` applies to every tag. */
  allowedAttributes: Record<string, string[]>;
};

import type { EmailKind, EmailLocale, EmailTemplate } from './email-templates';

export const EMAIL_LEVELS = ['never', 'newThreads', 'firstUnread', 'every'] as const;
export type EmailLevel = (typeof EMAIL_LEVELS)[number];

export const ALLOW_MESSAGES_FROM = ['everyone', 'contacts', 'nobody'] as const;
export type AllowMessagesFrom = (typeof ALLOW_MESSAGES_FROM)[number];
/** A user's summary email instead of the single notifications: never, once a day, once a week. */
export const DIGEST_FREQUENCIES = ['off', 'daily', 'weekly'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];

/** Web push: which messages are pushed to a user's browsers, and what a push shows (none: that there is one). */
export const PUSH_LEVELS = ['never', 'newThreads', 'every'] as const;
export type PushLevel = (typeof PUSH_LEVELS)[number];
export const PUSH_CONTENTS = ['none', 'preview'] as const;
export type PushContent = (typeof PUSH_CONTENTS)[number];

export type PluginConfig = {
  /** users-permissions role ids allowed to send; empty: every role. */
  allowedSenderRoles: number[];
  /**
   * Role ids allowed to write to a whole role; empty: every role holding the users-permissions
   * action `plugin::private-messages.role-recipients.find`. Both must allow.
   */
  roleWritingRoles: number[];
  /** Users with one of these role ids cannot be blocked (e.g. support staff). */
  unblockableRoles: number[];
  /**
   * Role ids that may see the bodies of deleted messages; empty: every role holding the
   * users-permissions action `plugin::private-messages.deleted-message.view`. Both must allow.
   */
  viewDeletedRoles: number[];
  /** Deleted messages are removed from the database after this many days; 0: never. */
  purgeDeletedAfterDays: number;
  /** Per-user send rate: at most `max` messages per `windowSeconds`; max 0 turns it off. */
  rateLimit: { max: number; windowSeconds: number };
  /** Whether users may receive messages until they say otherwise. */
  messagingEnabledByDefault: boolean;
  /** Email notification level of users who did not choose one. */
  emailNotificationsDefault: EmailLevel;
  /** Link to a thread in notification emails; `{threadId}` is replaced. */
  threadUrlTemplate: string;
  /** Extra addresses told about new reports (besides admins holding the moderation action). */
  moderatorEmails: string[];
  formats: Record<FormatName, FormatRule>;
  /** Formats a sender may choose. */
  enabledFormats: FormatName[];
  defaultFormat: FormatName;
  /** Maximum length of a message body as sent, in characters. */
  maxBodyLength: number;
  /** Maximum number of recipients of one new thread (users, after expanding roles). */
  maxRecipients: number;
  /** Name of the users-permissions user attribute that holds the avatar (a media field or a URL string). */
  avatarField: string | null;
  /** Avatar URL for users without one. */
  defaultAvatarUrl: string | null;
  /** Who may start a thread with users who did not choose (services/message-requests.ts). */
  allowMessagesFromDefault: AllowMessagesFrom;
  /** A new thread from someone who is not a contact lands in the recipient's requests folder. */
  messageRequests: boolean;
  /** Messages the author of a pending request may send before an answer. */
  requestMessageLimit: number;
  /** Accounts younger than this many days may start at most `newAccountDailyThreads` threads a day; 0: off. */
  newAccountDays: number;
  newAccountDailyThreads: number;
  /** New threads to people who are not contacts, per author and day; 0: off. */
  strangerDailyThreads: number;
  /**
   * What erasing a user (their account deleted, or an admin's erase) does to their messages:
   * `anonymize` keeps them for the others, authored by nobody; `delete` makes them deleted
   * placeholders without a body, purged as usual (repositories/erasure.ts).
   */
  erasure: ErasureMode;
  /** Audit entries (admins reading message content) are purged after this many days. */
  auditRetentionDays: number;
  /**
   * Seconds a notification email waits in the outbox; it is dropped if the recipient read the
   * thread meanwhile. 0: sent at once.
   */
  emailDelaySeconds: number;
  /** The language of the default email texts. */
  emailLocale: EmailLocale;
  /** The site's email texts per kind (config/email-templates.ts); a kind left out (or null) uses the default. */
  emailTemplates: Partial<Record<EmailKind, EmailTemplate | null>>;
};

export const ERASURE_MODES = ['anonymize', 'delete'] as const;
export type ErasureMode = (typeof ERASURE_MODES)[number];

const BASIC_TAGS = ['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre'];

export const defaultConfig: PluginConfig = {
  allowedSenderRoles: [],
  roleWritingRoles: [],
  unblockableRoles: [],
  viewDeletedRoles: [],
  purgeDeletedAfterDays: 30,
  rateLimit: { max: 30, windowSeconds: 60 },
  messagingEnabledByDefault: true,
  emailNotificationsDefault: 'firstUnread',
  threadUrlTemplate: 'http://localhost:3000/messages/{threadId}',
  moderatorEmails: [],
  formats: {
    plain_text: { allowedTags: [], allowedAttributes: {} },
    basic_html: { allowedTags: BASIC_TAGS, allowedAttributes: { a: ['href'] } },
    full_html: {
      allowedTags: [
        ...BASIC_TAGS,
        'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'span', 'div', 'b', 'i', 'u', 's', 'sub', 'sup', 'del', 'ins',
        'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'img',
      ],
      allowedAttributes: {
        a: ['href', 'title'],
        img: ['src', 'alt', 'title', 'width', 'height'],
        th: ['colspan', 'rowspan'],
        td: ['colspan', 'rowspan'],
        '*': ['class'],
      },
    },
  },
  enabledFormats: ['plain_text', 'basic_html', 'full_html'],
  defaultFormat: 'plain_text',
  maxBodyLength: 20_000,
  maxRecipients: 50,
  avatarField: null,
  defaultAvatarUrl: null,
  // Nothing changes for a site until it turns these on.
  allowMessagesFromDefault: 'everyone',
  messageRequests: false,
  requestMessageLimit: 3,
  newAccountDays: 0,
  newAccountDailyThreads: 0,
  strangerDailyThreads: 0,
  erasure: 'anonymize',
  auditRetentionDays: 365,
  emailDelaySeconds: 0,
  emailLocale: 'en',
  emailTemplates: {},
};

/** The real-time stream's bus: how instances tell each other about changes (docs/api.md, *Real-time stream*). */
export const STREAM_ADAPTERS = ['auto', 'memory', 'postgres', 'redis', 'poll'] as const;
export type StreamAdapter = (typeof STREAM_ADAPTERS)[number];

/**
 * The real-time stream (GET /stream). Read from `config/plugins` only (`realtime: {...}`), at boot:
 * it holds connection strings, so the admin API neither shows nor changes it.
 */
export type RealtimeConfig = {
  /**
   * `auto`: `redis` when `redis.url` is set, else `postgres` on PostgreSQL, `poll` on MySQL/MariaDB,
   * `memory` (this process only) on SQLite.
   */
  adapter: StreamAdapter;
  /** Redis for the `redis` adapter (needs the `ioredis` package in the app). */
  redis: { url: string | null; channel: string };
  /** PostgreSQL LISTEN connection; null: Strapi's own connection settings (set it to bypass PgBouncer). */
  postgres: { connectionString: string | null; channel: string };
  /** Open streams per user on one instance (a browser tab each); one more is a 429. */
  maxStreamsPerUser: number;
  /** Open streams on one instance, all users together. */
  maxStreams: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatSeconds: number;
  /** How long a ticket from POST /stream/tickets lets EventSource (re)connect (never past the JWT's own expiry). */
  ticketSeconds: number;
  /** Tickets one user may get in a minute, on all instances together; one more is a 429. */
  ticketsPerMinute: number;
  /** Unused, unexpired tickets one user may hold; one more is a 429. */
  maxTicketsPerUser: number;
  /** How often open streams' users are checked again (blocked, deleted, suspended, lost the action). */
  recheckSeconds: number;
  /** Events kept per user for Last-Event-ID replay, and for how long after their last stream closed. */
  replayEvents: number;
  replaySeconds: number;
  /** `poll` adapter: how often each instance reads the events others published. */
  pollIntervalMs: number;
  /** The reconnect delay EventSource is told (`retry:`). */
  retryMs: number;
};

export const defaultRealtimeConfig: RealtimeConfig = {
  adapter: 'auto',
  redis: { url: null, channel: 'private-messages:stream' },
  postgres: { connectionString: null, channel: 'pm_stream' },
  maxStreamsPerUser: 5,
  maxStreams: 10_000,
  heartbeatSeconds: 20,
  ticketSeconds: 600,
  ticketsPerMinute: 20,
  maxTicketsPerUser: 10,
  recheckSeconds: 30,
  replayEvents: 100,
  replaySeconds: 300,
  pollIntervalMs: 1000,
  retryMs: 3000,
};
