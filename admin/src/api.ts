/* Shapes of the plugin's admin API (server/src/routes/admin.ts), as the panel reads them. */

// The settings' shape is the server's own (one definition; these are constants and types only).
export { EMAIL_LEVELS, FORMAT_NAMES } from '../../server/src/config/defaults';
export type { EmailLevel, FormatName, FormatRule } from '../../server/src/config/defaults';
import type { PluginConfig } from '../../server/src/config/defaults';
/** The settings of the main form; the notification settings have their own section (components/NotificationsSection). */
export type Settings = Omit<PluginConfig, 'emailDelaySeconds' | 'emailLocale' | 'emailTemplates'>;
export type { FieldDeclaration, FieldsConfig } from '../../server/src/config/fields';

/** Custom field values of a thread or message (the declared ones that have a value). */
export type FieldValues = Record<string, string | number | boolean>;

/** A users-permissions role, from `GET /private-messages/roles` → `{ data: Role[] }`. */
export type Role = { id: number; name: string; type: string; description?: string };

export type UserSummary = { id: number; username: string | null; avatarUrl: string | null };
export type AdminSummary = { id: number; firstname: string | null; lastname: string | null; email: string };

export type ReportedMessage = {
  id: string;
  author: UserSummary | null;
  body: string | null;
  deleted: boolean;
  fields?: FieldValues;
  createdAt: string;
  reported?: boolean;
};

export const RESOLUTIONS = ['dismiss', 'deleteMessage', 'disableSender'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** One report of `GET /private-messages/reports` (server/src/services/moderation.ts, `present`). */
export type Report = {
  id: string;
  status: 'open' | 'resolved';
  reason: string;
  createdAt: string;
  reporter: UserSummary | null;
  message: ReportedMessage | null;
  thread: { id: string; subject: string; fields?: FieldValues } | null;
  context: ReportedMessage[];
  resolution: Resolution | null;
  note: string | null;
  resolvedAt: string | null;
  resolvedBy: AdminSummary | null;
};

/** One suspended sender of `GET /private-messages/suspensions` (server/src/services/moderation.ts). */
export type Suspension = {
  user: UserSummary;
  suspendedAt: string;
  suspendedBy: AdminSummary | null;
  /** The report it came from, while that report exists. */
  reportId: string | null;
  note: string | null;
};

export type Pagination = { page: number; pageSize: number; total: number; pageCount: number };

/** Strapi's error body, as useFetchClient's FetchError carries it in `response.data.error`. */
export type ApiErrorBody = {
  status?: number;
  name?: string;
  message?: string;
  details?: { errors?: { path: string[]; message: string }[] } & Record<string, unknown>;
};

export const apiErrorOf = (error: unknown): ApiErrorBody | undefined =>
  (error as { response?: { data?: { error?: ApiErrorBody } } })?.response?.data?.error;

export const statusOf = (error: unknown): number | undefined =>
  apiErrorOf(error)?.status ?? (error as { status?: number })?.status;

/** One entry of `GET /private-messages/audit` (server/src/repositories/audit.ts). */
export type AuditEntry = {
  id: string;
  admin: { id: number; name: string };
  action: 'report.view' | 'message.deletedBody' | 'user.export' | 'thread.open' | 'attachment.view' | 'user.erase';
  userId: number | null;
  threadId: string | null;
  messageId: string | null;
  reportId: string | null;
  reason: string | null;
  createdAt: string;
};

/** `GET /private-messages/threads/:id?reason=`: a thread opened for an investigation. */
export type InvestigatedThread = {
  id: string;
  subject: string;
  members: { userId: number; left: boolean; hidden: boolean }[];
  messages: { id: string; author: { id: number } | null; body: string | null; deleted: boolean; createdAt: string }[];
};
