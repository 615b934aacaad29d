import { z } from 'zod';
import { FORMAT_NAMES } from './defaults';

const tagName = z.string().regex(/^[a-z][a-z0-9]*$/, 'a lowercase HTML tag name');

const formatRule = z.strictObject({
  allowedTags: z.array(tagName).max(100),
  allowedAttributes: z.record(z.string(), z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).max(50)),
});

/** The shape every source of settings (config/plugins, the admin panel) must have. */
export const pluginConfigSchema = z
  .strictObject({
    formats: z.strictObject({
      plain_text: formatRule,
      basic_html: formatRule,
      full_html: formatRule,
    }),
    enabledFormats: z.array(z.enum(FORMAT_NAMES)).min(1),
    defaultFormat: z.enum(FORMAT_NAMES),
    maxBodyLength: z.number().int().min(1).max(1_000_000),
    maxRecipients: z.number().int().min(1).max(100_000),
    avatarField: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).nullable(),
    defaultAvatarUrl: z.string().url().max(2048).nullable(),
  })
  .refine((c) => c.enabledFormats.includes(c.defaultFormat), {
    message: 'defaultFormat must be one of enabledFormats',
    path: ['defaultFormat'],
  });
