import type { Core } from '@strapi/strapi';
import { defaultConfig, type PluginConfig } from '../config/defaults';

const STORE_KEY = 'settings';

/**
 * The one reader of the plugin's settings: the defaults, overridden by `config/plugins`,
 * overridden by what was saved from the admin panel (kept in Strapi's core store).
 */
const settingsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: 'private-messages' });

  const fromConfig = (): PluginConfig => ({
    ...defaultConfig,
    ...(strapi.config.get('plugin::private-messages') as Partial<PluginConfig>),
  });

  return {
    async get(): Promise<PluginConfig> {
      const saved = (await store().get({ key: STORE_KEY })) as Partial<PluginConfig> | null;
      return { ...fromConfig(), ...(saved ?? {}) };
    },

    /** Secret used to sign pagination cursors: stable across restarts and instances. */
    cursorSecret(): string {
      const keys = strapi.config.get('server.app.keys') as string[] | undefined;
      return `private-messages:${keys?.[0] ?? strapi.config.get('admin.auth.secret', 'unsigned')}`;
    },
  };
};

export default settingsService;
