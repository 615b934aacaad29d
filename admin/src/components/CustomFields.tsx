import * as React from 'react';
import { Box, Flex, Typography } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import type { FieldDeclaration, FieldsConfig, FieldValues } from '../api';
import { getTrad } from '../utils/getTrad';
import { Section } from './Fields';

/*
 * The site's custom fields in the panel: their declarations on the settings page (read-only: they
 * live in config/plugins) and their values on a reported message.
 */

const useT = () => {
  const { formatMessage } = useIntl();
  return (id: string, defaultMessage: string, values?: Record<string, React.ReactNode>) =>
    formatMessage({ id: getTrad(id), defaultMessage }, values as Record<string, string>);
};

/** A declaration's options, as one line ("string, required, at most 64 characters"). */
const describe = (d: FieldDeclaration, t: ReturnType<typeof useT>) => {
  const parts: string[] = [d.type];
  if (d.required) parts.push(t('settings.fields.required', 'required'));
  if ('maxLength' in d && d.maxLength !== undefined) parts.push(t('settings.fields.maxLength', 'at most {max} characters', { max: d.maxLength }));
  if ('min' in d && d.min !== undefined) parts.push(t('settings.fields.min', 'from {min}', { min: d.min }));
  if ('max' in d && d.max !== undefined) parts.push(t('settings.fields.max', 'up to {max}', { max: d.max }));
  if ('enum' in d) parts.push(d.enum.join(' · '));
  return parts.join(', ');
};

const DeclarationList = ({ title, declared }: { title: string; declared: Record<string, FieldDeclaration> }) => {
  const t = useT();
  const names = Object.keys(declared);
  return (
    <Flex direction="column" alignItems="stretch" gap={2} data-testid={`pm-declared-fields-${title}`}>
      <Typography variant="sigma" textColor="neutral600">
        {title === 'thread' ? t('settings.fields.thread', 'On threads') : t('settings.fields.message', 'On messages')}
      </Typography>
      {names.length === 0 ? (
        <Typography textColor="neutral600">{t('settings.fields.none', 'None declared.')}</Typography>
      ) : (
        names.map((name) => (
          <Typography key={name}>
            <Typography fontWeight="bold">{name}</Typography>: {describe(declared[name], t)}
          </Typography>
        ))
      )}
    </Flex>
  );
};

/** Settings page: the declared custom fields, read-only. */
export const CustomFieldsSection = ({ fields }: { fields: FieldsConfig | undefined }) => {
  const t = useT();
  return (
    <Section
      title={t('settings.section.fields', 'Custom fields')}
      description={t(
        'settings.fields.description',
        'Declared in config/plugins (fields) and read when Strapi starts; they cannot be changed here.',
      )}
    >
      <Flex direction="column" alignItems="stretch" gap={4}>
        <DeclarationList title="thread" declared={fields?.thread ?? {}} />
        <DeclarationList title="message" declared={fields?.message ?? {}} />
      </Flex>
    </Section>
  );
};

/** A thread's or message's custom field values ("orderId: A-17 · priority: high"), or nothing. */
export const FieldValuesLine = ({ values }: { values: FieldValues | undefined }) => {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return null;
  return (
    <Box data-testid="pm-field-values">
      <Typography variant="pi" textColor="neutral600">
        {entries.map(([name, value]) => `${name}: ${String(value)}`).join(' · ')}
      </Typography>
    </Box>
  );
};
