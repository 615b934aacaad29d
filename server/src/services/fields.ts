import type { Core } from '@strapi/strapi';
import { fieldsPresenter, fieldValuesSchema, resolveFieldsConfig, type FieldsConfig } from '../config/fields';
import { newThreadSchema, replySchema } from '../validation';

/**
 * The site's custom fields (config/fields.ts): the input schemas built from the declarations,
 * which the routes and the programmatic API validate with, and what a reader is shown of the
 * stored values. Built once from config/plugins (its validator has already refused a bad
 * declaration at boot).
 */
const fieldsService = ({ strapi }: { strapi: Core.Strapi }) => {
  let built: ReturnType<typeof build> | null = null;

  const build = (declarations: FieldsConfig) => ({
    declarations,
    newThreadSchema: newThreadSchema.extend({
      fields: fieldValuesSchema(declarations.thread),
      messageFields: fieldValuesSchema(declarations.message),
    }),
    replySchema: replySchema.extend({ fields: fieldValuesSchema(declarations.message) }),
    thread: fieldsPresenter(declarations.thread),
    message: fieldsPresenter(declarations.message),
  });

  const current = () => (built ??= build(resolveFieldsConfig(strapi.config.get('plugin::private-messages') ?? {})));

  return {
    /** The declarations, as the settings list them (read-only: they live in config/plugins). */
    declarations: () => current().declarations,
    /** POST /threads' body: `fields` (the thread's) and `messageFields` (its first message's) as declared. */
    newThreadSchema: () => current().newThreadSchema,
    /** A reply's body: `fields` (the message's) as declared. */
    replySchema: () => current().replySchema,
    /** A thread's stored values as a reader is shown them. */
    presentThread: (stored: Record<string, unknown> | null) => current().thread(stored),
    presentMessage: (stored: Record<string, unknown> | null) => current().message(stored),
  };
};

export default fieldsService;
