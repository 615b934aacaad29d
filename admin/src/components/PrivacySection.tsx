import * as React from 'react';
import { Grid } from '@strapi/design-system';
import type { FormErrors, FormValues } from '../utils/settingsForm';
import { NumberField, Section, SelectField } from './Fields';

type Props = {
  t: (id: string, defaultMessage: string, values?: Record<string, React.ReactNode>) => string;
  values: FormValues;
  common: (name: string) => { name: string; error: FormErrors[string]; disabled: boolean };
  boundsHint: string;
  set: <K extends keyof FormValues>(key: K, value: FormValues[K]) => void;
};

/** The settings page's "Privacy" section: what erasing a user does to their messages, and how long the audit trail is kept. */
export const PrivacySection = ({ t, values, common, boundsHint, set }: Props) => (
  <Section title={t('settings.section.privacy', 'Privacy')}>
    <Grid.Root gap={5}>
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
        <SelectField
          {...common('erasure')}
          label={t('settings.erasure', 'When a user is deleted, their messages are')}
          hint={t('settings.erasure.hint', 'Everything else of theirs is erased either way; reports they filed stay without their name.')}
          value={values.erasure}
          onChange={(v) => set('erasure', v)}
          options={[
            { value: 'anonymize', label: t('settings.erasure.anonymize', 'Kept for the others, by a deleted user') },
            { value: 'delete', label: t('settings.erasure.delete', 'Deleted (placeholders, then purged)') },
          ]}
        />
      </Grid.Item>
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
        <NumberField
          {...common('auditRetentionDays')}
          label={t('settings.auditRetentionDays', 'Keep the audit trail of moderators’ reads for (days)')}
          hint={t('settings.auditRetentionDays.hint', 'Older entries are purged hourly. {bounds}', { bounds: boundsHint })}
          value={values.auditRetentionDays}
          onChange={(v) => set('auditRetentionDays', v)}
          required
        />
      </Grid.Item>
    </Grid.Root>
  </Section>
);
