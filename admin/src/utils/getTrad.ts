import { PLUGIN_ID } from '../pluginId';

/** The full translation id of one of the plugin's keys (admin/src/translations/*.json). */
export const getTrad = (id: string) => `${PLUGIN_ID}.${id}`;
