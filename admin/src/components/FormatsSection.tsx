import * as React from 'react';
import { Box, Checkbox, Field, Flex, Grid, Typography } from '@strapi/design-system';
import { FORMAT_NAMES, type FormatName } from '../api';
import type { FormErrors, FormValues } from '../utils/settingsForm';
import { formatErrorText } from '../utils/formatErrorText';
import { Section, SelectField, TextareaField } from './Fields';

type Props = {
  t: (id: string, defaultMessage: string) => string;
  formatMessage: Parameters<typeof formatErrorText>[1];
  values: FormValues;
  errors: FormErrors;
  readOnly: boolean;
  common: (name: string) => { name: string; error: FormErrors[string]; disabled: boolean };
  formatLabel: (f: FormatName) => string;
  set: <K extends keyof FormValues>(key: K, value: FormValues[K]) => void;
  setFormat: (format: FormatName, key: 'allowedTags' | 'allowedAttributes', value: string) => void;
};

/** The settings page's "Message formats" section: enabled formats, the default one, and the allow-lists. */
export const FormatsSection = ({ t, formatMessage, values, errors, readOnly, common, formatLabel, set, setFormat }: Props) => (
    <Section
      title={t('settings.section.formats', 'Message formats')}
      description={t(
        'settings.section.formats.description',
        'Scripts, event handlers, frames, forms and unsafe URLs are always removed, whatever the allow-lists say.',
      )}
    >
      <Grid.Root gap={5}>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <Field.Root
            name="enabledFormats"
            error={errors.enabledFormats ? formatErrorText(errors.enabledFormats, formatMessage) : undefined}
            hint={t('settings.enabledFormats.hint', 'The formats a sender may choose.')}
          >
            <Field.Label>{t('settings.enabledFormats', 'Enabled formats')}</Field.Label>
            <Flex direction="column" alignItems="flex-start" gap={2} paddingTop={1}>
              {FORMAT_NAMES.map((f) => (
                <Checkbox
                  key={f}
                  name={`enabledFormats.${f}`}
                  disabled={readOnly}
                  checked={values.enabledFormats.includes(f)}
                  onCheckedChange={(checked: boolean | 'indeterminate') =>
                    set(
                      'enabledFormats',
                      checked === true
                        ? FORMAT_NAMES.filter((x) => x === f || values.enabledFormats.includes(x))
                        : values.enabledFormats.filter((x) => x !== f),
                    )
                  }
                >
                  {formatLabel(f)}
                </Checkbox>
              ))}
            </Flex>
            <Field.Hint />
            <Field.Error />
          </Field.Root>
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <SelectField<FormatName>
            {...common('defaultFormat')}
            label={t('settings.defaultFormat', 'Default format')}
            hint={t('settings.defaultFormat.hint', 'Used when a sender does not choose one; must be enabled.')}
            value={values.defaultFormat}
            onChange={(v) => set('defaultFormat', v)}
            options={FORMAT_NAMES.map((f) => ({ value: f, label: formatLabel(f) }))}
          />
        </Grid.Item>
        {(['basic_html', 'full_html'] as const).map((f) => (
          <React.Fragment key={f}>
            <Grid.Item col={12} direction="column" alignItems="stretch">
              <Box paddingTop={2}>
                <Typography variant="sigma" textColor="neutral600">
                  {formatLabel(f)}
                </Typography>
              </Box>
            </Grid.Item>
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              <TextareaField
                {...common(`formats.${f}.allowedTags`)}
                label={t('settings.allowedTags', 'Allowed tags')}
                hint={t(
                  'settings.allowedTags.hint',
                  'Tag names separated by commas; other tags are removed and their text kept.',
                )}
                value={values.formats[f].allowedTags}
                onChange={(v) => setFormat(f, 'allowedTags', v)}
              />
            </Grid.Item>
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              <TextareaField
                {...common(`formats.${f}.allowedAttributes`)}
                label={t('settings.allowedAttributes', 'Allowed attributes')}
                hint={t(
                  'settings.allowedAttributes.hint',
                  'One tag per line: "a: href, title"; "*" applies to every tag.',
                )}
                value={values.formats[f].allowedAttributes}
                onChange={(v) => setFormat(f, 'allowedAttributes', v)}
              />
            </Grid.Item>
          </React.Fragment>
        ))}
      </Grid.Root>
    </Section>
);
