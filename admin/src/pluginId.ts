export const PLUGIN_ID = 'private-messages';
