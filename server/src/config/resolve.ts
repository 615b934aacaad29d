import { defaultConfig, defaultRealtimeConfig, type PluginConfig, type RealtimeConfig } from './defaults';
import { pluginConfigSchema, realtimeConfigSchema } from './schema';

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
 * `realtime`, `fields` and `contexts` are not settings of the admin panel: each is read on its own
 * (resolveRealtimeConfig, config/fields.ts resolveFieldsConfig, config/contexts.ts resolveContextsConfig).
 */
const withoutRealtime = (layer: unknown) => {
  if (!isPlainObject(layer) || (!('realtime' in layer) && !('fields' in layer) && !('contexts' in layer))) return layer;
  const { realtime: _realtime, fields: _fields, contexts: _contexts, ...rest } = layer;
  return rest;
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
