import { Grid } from '@strapi/design-system';
import type { FormErrors, FormValues } from '../utils/settingsForm';
import { BOUNDS } from '../utils/settingsForm';
import { NumberField, Section } from './Fields';

type Props = {
  t: (id: string, defaultMessage: string, values?: Record<string, string>) => string;
  values: FormValues;
  common: (name: string) => { name: string; error: FormErrors[string]; disabled: boolean };
  /** The hint "From min to max." for a bounded setting. */
  between: (path: keyof typeof BOUNDS) => string;
  set: <K extends keyof FormValues>(key: K, value: FormValues[K]) => void;
};

/** The settings page's "Limits" section: recipients, message length and the send rate. */
export const LimitsSection = ({ t, values, common, between, set }: Props) => (
    <Section title={t('settings.section.limits', 'Limits')}>
      <Grid.Root gap={5}>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <NumberField
            {...common('maxRecipients')}
            label={t('settings.maxRecipients', 'Maximum recipients of a new thread')}
            hint={between('maxRecipients')}
            value={values.maxRecipients}
            onChange={(v) => set('maxRecipients', v)}
            required
          />
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <NumberField
            {...common('maxBodyLength')}
            label={t('settings.maxBodyLength', 'Maximum message length (characters)')}
            hint={between('maxBodyLength')}
            value={values.maxBodyLength}
            onChange={(v) => set('maxBodyLength', v)}
            required
          />
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <NumberField
            {...common('rateLimit.max')}
            label={t('settings.rateLimit.max', 'Messages a user may send per period')}
            hint={t('settings.rateLimit.max.hint', '0 turns the rate limit off. {bounds}', {
              bounds: between('rateLimit.max'),
            })}
            value={values.rateLimitMax}
            onChange={(v) => set('rateLimitMax', v)}
            required
          />
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <NumberField
            {...common('rateLimit.windowSeconds')}
            label={t('settings.rateLimit.windowSeconds', 'Rate limit period (seconds)')}
            hint={between('rateLimit.windowSeconds')}
            value={values.rateLimitWindowSeconds}
            onChange={(v) => set('rateLimitWindowSeconds', v)}
            required
          />
        </Grid.Item>
      </Grid.Root>
    </Section>
);
