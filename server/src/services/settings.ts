import type { Core } from '@strapi/strapi';
import type { PluginConfig } from '../config/defaults';
import { mergeSettings, resolveConfig } from '../config/resolve';
import { settingsFieldsSchema } from '../config/schema';
import { validationError } from '../utils/errors';

const STORE_KEY = 'settings';

/**
 * The one reader of the plugin's settings: the defaults, overridden by `config/plugins`,
 * overridden by what was saved from the admin panel (kept in Strapi's core store, so every
 * instance sees the same values).
 */
const settingsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: 'private-messages' });
  const fromConfigFile = () => strapi.config.get('plugin::private-messages') ?? {};
  const saved = async () => ((await store().get({ key: STORE_KEY })) as Partial<PluginConfig> | null) ?? {};

  const get = async (): Promise<PluginConfig> => {
    const overrides = await saved();
    try {
      return resolveConfig(fromConfigFile(), overrides);
    } catch (error) {
      // Saved values that no longer fit (e.g. after an upgrade) must not take messaging down.
      strapi.log.error(`[private-messages] ignoring saved settings: ${(error as Error).message}`);
      return resolveConfig(fromConfigFile());
    }
  };

  return {
    get,

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
      try {
        resolveConfig(fromConfigFile(), overrides);
      } catch (error) {
        const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? [];
        throw validationError(
          (error as Error).message.replace('Invalid configuration of plugin private-messages: ', 'Invalid settings: '),
          issues.map((i) => ({ path: i.path.map(String), message: i.message }))
        );
      }
      await store().set({ key: STORE_KEY, value: overrides });
      return get();
    },

    /** Secret used to sign pagination cursors: stable across restarts and instances. */
    cursorSecret(): string {
      const keys = strapi.config.get('server.app.keys') as string[] | undefined;
      return `private-messages:${keys?.[0] ?? strapi.config.get('admin.auth.secret', 'unsigned')}`;
    },
  };
};

export default settingsService;
