import type { Core } from '@strapi/strapi';
import { DEFAULT_TEMPLATES, EMAIL_KINDS, EMAIL_LOCALES, SAMPLE_VALUES, renderEmail, templateFor, type EmailKind, type EmailLocale, type EmailTemplate } from '../config/email-templates';
import { settingsFieldsSchema } from '../config/schema';
import { validationError } from '../utils/errors';
import { getService } from '../utils/get-service';

export type TextsInput = { kind: EmailKind; subject?: string; body?: string; locale?: EmailLocale };

/**
 * The settings page's email texts: the defaults per language, a preview of a text being edited
 * (with made-up values), and the same email sent to the admin who asks ("send me a test"). The
 * preview and the test email are rendered by the outbox's own function (config/email-templates.ts):
 * what the page shows is what recipients get.
 */
const emailTextsService = ({ strapi }: { strapi: Core.Strapi }) => {
  /** The text to render: the one being edited, else the saved one, else the default; checked as a save would be. */
  const resolve = async (input: TextsInput): Promise<EmailTemplate> => {
    const settings = await getService('settings').get();
    const locale = input.locale ?? settings.emailLocale;
    const current = templateFor(input.locale ? {} : settings.emailTemplates, locale, input.kind);
    const template = { subject: input.subject ?? current.subject, body: input.body ?? current.body };
    const checked = settingsFieldsSchema.shape.emailTemplates.safeParse({ [input.kind]: template });
    if (!checked.success) {
      const items = checked.error.issues.map((i) => ({ path: ['emailTemplates', ...i.path.map(String)], message: i.message }));
      throw validationError(`Invalid email text: ${items.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, items);
    }
    return template;
  };

  return {
    kinds: EMAIL_KINDS,
    locales: EMAIL_LOCALES,
    defaults: () => DEFAULT_TEMPLATES,

    async preview(input: TextsInput) {
      return renderEmail(await resolve(input), SAMPLE_VALUES[input.kind]);
    },

    /** Sends the preview to `to` (the admin's own address); the email plugin's error is the caller's. */
    async sendTest(input: TextsInput, to: string) {
      const email = renderEmail(await resolve(input), SAMPLE_VALUES[input.kind]);
      await strapi.plugin('email').service('email').send({ to, ...email });
      return { to, ...email };
    },
  };
};

export default emailTextsService;
