import type { Core } from '@strapi/strapi';
import { avatarFieldProblem, type UserModel } from '../config/avatar-field';
import type { PluginConfig } from '../config/defaults';
import { mergeSettings, resolveConfig } from '../config/resolve';
import { settingsFieldsSchema } from '../config/schema';
import { validationError } from '../utils/errors';

const STORE_KEY = 'settings';

/**
 * How long one read of the saved settings is reused. Hot routes consult the settings several times
 * per request; without this each consultation is a core-store query. A save on this instance is
 * seen at once; a save on another instance reaches this one within this delay.
 */
export const SETTINGS_CACHE_MS = 2000;

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
};

/**
 * The one reader of the plugin's settings: the defaults, overridden by `config/plugins`,
 * overridden by what was saved from the admin panel (kept in Strapi's core store, so every
 * instance sees the same values).
 */
const settingsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: 'private-messages' });
  const fromConfigFile = () => strapi.config.get('plugin::private-messages') ?? {};
  const saved = async () => ((await store().get({ key: STORE_KEY })) as Partial<PluginConfig> | null) ?? {};

  /**
   * Why `avatarField` may not hold avatars, or null. Checked here rather than in the zod schema:
   * the rule needs the users-permissions user model, which config/plugins' validator runs before.
   */
  const avatarProblem = (field: string | null) =>
    field === null
      ? null
      : avatarFieldProblem(
          strapi.getModel('plugin::users-permissions.user') as UserModel | undefined,
          field,
          strapi.config.get('api.responses.privateAttributes', [])
        );

  const read = async (): Promise<PluginConfig> => {
    const overrides = await saved();
    try {
      return deepFreeze(resolveConfig(fromConfigFile(), overrides));
    } catch (error) {
      // Saved values that no longer fit (e.g. after an upgrade) must not take messaging down.
      strapi.log.error(`[private-messages] ignoring saved settings: ${(error as Error).message}`);
      return deepFreeze(resolveConfig(fromConfigFile()));
    }
  };

  // One read in flight at a time; its result (frozen: callers share it) serves SETTINGS_CACHE_MS.
  let cached: { value: Promise<PluginConfig>; at: number } | null = null;
  const get = (): Promise<PluginConfig> => {
    if (cached && Date.now() - cached.at < SETTINGS_CACHE_MS) return cached.value;
    const entry = { value: read(), at: Date.now() };
    cached = entry;
    entry.value.catch(() => {
      if (cached === entry) cached = null;
    });
    return entry.value;
  };

  /** Drops this instance's cached copy: the next read goes to the store (for code that writes the store directly). */
  const forgetCached = () => {
    cached = null;
  };

  const getFresh = (): Promise<PluginConfig> => {
    forgetCached();
    return get();
  };

  return {
    /** The settings in force (read at most every SETTINGS_CACHE_MS; frozen). */
    get,

    /** The settings as saved right now, bypassing the cache (the admin panel's view). */
    getFresh,

    forgetCached,

    /**
     * Saves settings from the admin panel. `changes` may hold any subset of the settings; the
     * result must be a valid whole, or nothing is saved (400 listing each offending path).
     */
    async update(changes: unknown): Promise<PluginConfig> {
      const partial = settingsFieldsSchema.partial().safeParse(changes ?? {});
      if (!partial.success) {
        throw validationError(
          'Invalid settings',
          partial.error.issues.flatMap((i) =>
            i.code === 'unrecognized_keys'
              ? i.keys.map((k) => ({ path: [...i.path.map(String), k], message: 'is not a setting' }))
              : [{ path: i.path.map(String), message: i.message }]
          )
        );
      }
      const overrides = mergeSettings(await saved(), partial.data);
      let resolved: PluginConfig;
      try {
        resolved = resolveConfig(fromConfigFile(), overrides);
      } catch (error) {
        const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? [];
        throw validationError(
          (error as Error).message.replace('Invalid configuration of plugin private-messages: ', 'Invalid settings: '),
          issues.map((i) => ({ path: i.path.map(String), message: i.message }))
        );
      }
      const avatarIssue = avatarProblem(resolved.avatarField);
      if (avatarIssue) {
        throw validationError(`Invalid settings: avatarField: "${resolved.avatarField}" ${avatarIssue}`, [
          { path: ['avatarField'], message: avatarIssue },
        ]);
      }
      await store().set({ key: STORE_KEY, value: overrides });
      forgetCached();
      return get();
    },

    /**
     * At boot: an `avatarField` from config/plugins that may not hold avatars stops Strapi with the
     * reason, as any other invalid value there does; one saved from the admin panel before this
     * check existed is only warned about (avatars are then not read from it: repositories/users.ts).
     */
    async checkAvatarField() {
      const fromFile = resolveConfig(fromConfigFile()).avatarField;
      const fileIssue = avatarProblem(fromFile);
      if (fileIssue) {
        throw new Error(`Invalid configuration of plugin private-messages: avatarField: "${fromFile}" ${fileIssue}`);
      }
      const { avatarField } = await getFresh();
      const savedIssue = avatarProblem(avatarField);
      if (savedIssue) {
        strapi.log.warn(
          `[private-messages] the saved setting avatarField "${avatarField}" ${savedIssue}: every user gets the default avatar until it is changed in the settings.`
        );
      }
    },

    /** Secret used to sign pagination cursors: stable across restarts and instances. */
    cursorSecret(): string {
      const keys = strapi.config.get('server.app.keys') as string[] | undefined;
      return `private-messages:${keys?.[0] ?? strapi.config.get('admin.auth.secret', 'unsigned')}`;
    },
  };
};

export default settingsService;
