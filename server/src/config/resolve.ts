import { defaultConfig, defaultRealtimeConfig, type PluginConfig, type RealtimeConfig } from './defaults';
import { adminUrlSchema, pluginConfigSchema, realtimeConfigSchema } from './schema';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Objects replaced whole, like arrays: a format's `allowedAttributes` is an allow-list keyed by
 * tag, so a tag left out of the new value must lose its attributes, not keep the old ones.
 */
const REPLACED_WHOLE = new Set(['allowedAttributes']);

/** Deep merge where arrays and scalars of `override` (and the objects above) replace those of `base`. */
export const mergeSettings = <T>(base: T, override: unknown): T => {
  if (!isPlainObject(base) || !isPlainObject(override)) return (override === undefined ? base : override) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    out[key] = REPLACED_WHOLE.has(key) && value !== undefined ? value : mergeSettings(out[key], value);
  }
  return out as T;
};

export const formatIssues = (issues: { path: PropertyKey[]; message: string }[]) =>
  issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');

/** The defaults overridden by each layer in turn; throws when the result is not a valid configuration. */
export const resolveConfig = (...layers: unknown[]): PluginConfig => {
  const merged = layers.reduce<PluginConfig>((acc, layer) => mergeSettings(acc, withoutRealtime(layer) ?? {}), defaultConfig);
  const result = pluginConfigSchema.safeParse(merged);
  if (!result.success) {
    // The issues go along so the admin API can list each offending path (services/settings.ts).
    throw Object.assign(new Error(`Invalid configuration of plugin private-messages: ${formatIssues(result.error.issues)}`), {
      issues: result.error.issues,
    });
  }
  return result.data as PluginConfig;
};

/**
 * Keys of config/plugins that are not settings of the admin panel, each read on its own:
 * `realtime` (resolveRealtimeConfig) and `adminUrl` (resolveAdminUrl), properties of the deployment,
 * and the site's declarations, `fields` (config/fields.ts resolveFieldsConfig) and `contexts`
 * (config/contexts.ts resolveContextsConfig); `attachments` (config/attachments.ts), storage.
 */
const FILE_ONLY_KEYS = ['realtime', 'adminUrl', 'fields', 'contexts', 'push', 'attachments'];

const withoutRealtime = (layer: unknown) => {
  if (!isPlainObject(layer) || !FILE_ONLY_KEYS.some((key) => key in layer)) return layer;
  return Object.fromEntries(Object.entries(layer).filter(([key]) => !FILE_ONLY_KEYS.includes(key)));
};

/** `adminUrl` of config/plugins, or null when unset; throws when it is not an absolute http(s) URL. */
export const resolveAdminUrl = (fileConfig: unknown): string | null => {
  const value = isPlainObject(fileConfig) ? (fileConfig.adminUrl ?? null) : null;
  const result = adminUrlSchema.safeParse(value);
  if (!result.success) {
    throw new Error(`Invalid configuration of plugin private-messages: adminUrl: ${formatIssues(result.error.issues)}`);
  }
  return result.data;
};

/** The stream's configuration: the defaults overridden by `config/plugins`' `realtime`; throws when invalid. */
export const resolveRealtimeConfig = (fileConfig: unknown): RealtimeConfig => {
  const realtime = isPlainObject(fileConfig) ? fileConfig.realtime : undefined;
  const result = realtimeConfigSchema.safeParse(mergeSettings(defaultRealtimeConfig, realtime ?? {}));
  if (!result.success) {
    throw new Error(`Invalid configuration of plugin private-messages: realtime.${formatIssues(result.error.issues)}`);
  }
  return result.data as RealtimeConfig;
};
