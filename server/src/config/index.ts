import { resolveAttachmentsConfig } from './attachments';
import { resolveContextsConfig } from './contexts';
import { resolveFieldsConfig } from './fields';
import { resolveAdminUrl, resolveConfig, resolveRealtimeConfig } from './resolve';

/*
 * Strapi merges a plugin's `default` config into the user's with lodash's defaultsDeep, which
 * merges arrays index by index: a site builder's shorter allow-list would be padded with our
 * defaults. So Strapi gets no defaults; services/settings.ts applies them with `resolveConfig`,
 * where a user's array replaces ours.
 */
export default {
  default: {},
  validator(config: unknown) {
    resolveConfig(config);
    resolveRealtimeConfig(config);
    resolveAdminUrl(config);
    resolveFieldsConfig(config);
    resolveContextsConfig(config);
    resolveAttachmentsConfig(config);
  },
};
