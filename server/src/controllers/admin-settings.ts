import type { Context } from 'koa';
import { getService } from '../utils/get-service';
import { emptyQuerySchema, parse } from '../validation';
import { requestBody } from './context';

/**
 * The settings as the panel reads them, with the custom field and context declarations listed read-only
 * (they live in config/plugins: a PUT naming them is a 400).
 */
const withDeclarations = (settings: object) => ({
  ...settings,
  fields: getService('fields').declarations(),
  contexts: getService('contexts').declarations(),
});

/** Admin API: the plugin's settings (guarded by the settings.read / settings.update RBAC actions). */
export default {
  async find(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    ctx.body = { data: withDeclarations(await getService('settings').getFresh()) };
  },

  /** The users-permissions roles the role pickers offer, under the plugin's own settings.read action. */
  async roles(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    ctx.body = { data: await getService('people').listRoles() };
  },

  async update(ctx: Context) {
    parse(emptyQuerySchema, ctx.query, 'query');
    ctx.body = { data: withDeclarations(await getService('settings').update(requestBody(ctx))) };
  },
};
