import { Shield } from '@strapi/icons';
import { PLUGIN_ID } from './pluginId';
import { PERMISSIONS } from './permissions';
import { getTrad } from './utils/getTrad';

/**
 * The plugin's admin side: Settings → Private Messages (settings.read, editable with
 * settings.update) and the Message moderation page in the main menu (reports.manage).
 */
export default {
  register(app: any) {
    app.registerPlugin({ id: PLUGIN_ID, name: 'Private Messages' });

    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: Shield,
      intlLabel: { id: getTrad('menu.moderation'), defaultMessage: 'Message moderation' },
      permissions: PERMISSIONS.reportsManage,
      Component: () => import('./pages/ModerationPage'),
    });

    app.addSettingsLink('global', {
      id: PLUGIN_ID,
      to: PLUGIN_ID,
      intlLabel: { id: getTrad('settings.link'), defaultMessage: 'Private Messages' },
      permissions: PERMISSIONS.settingsRead,
      Component: () => import('./pages/SettingsPage'),
    });
  },

  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        try {
          const { default: data } = await import(`./translations/${locale}.json`);
          return { data: prefixKeys(data), locale };
        } catch {
          return { data: {}, locale };
        }
      }),
    );
  },
};

const prefixKeys = (data: Record<string, string>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [`${PLUGIN_ID}.${k}`, v]));
