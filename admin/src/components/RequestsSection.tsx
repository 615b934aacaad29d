import { Grid } from '@strapi/design-system';
import type { FormErrors, FormValues } from '../utils/settingsForm';
import { BOUNDS } from '../utils/settingsForm';
import { NumberField, Section, SelectField, ToggleField } from './Fields';

type Props = {
  t: (id: string, defaultMessage: string, values?: Record<string, string>) => string;
  values: FormValues;
  common: (name: string) => { name: string; error: FormErrors[string]; disabled: boolean };
  between: (path: keyof typeof BOUNDS) => string;
  set: <K extends keyof FormValues>(key: K, value: FormValues[K]) => void;
};

/**
 * The settings page's "Message requests" section: who may start a thread with users who did not
 * choose, the requests folder, and the daily limits for new accounts and strangers. The defaults
 * (everyone, off, 0) leave a site as it was; each hint says what the value does.
 */
export const RequestsSection = ({ t, values, common, between, set }: Props) => {
  const number = (key: 'requestMessageLimit' | 'newAccountDays' | 'newAccountDailyThreads' | 'strangerDailyThreads', label: string, hint: string) => (
    <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
      <NumberField
        {...common(key)}
        label={label}
        hint={`${hint} ${between(key)}`}
        value={values[key]}
        onChange={(v) => set(key, v)}
        required
      />
    </Grid.Item>
  );
  return (
    <Section title={t('settings.section.requests', 'Message requests')}>
      <Grid.Root gap={5}>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <SelectField
            {...common('allowMessagesFromDefault')}
            label={t('settings.allowMessagesFromDefault', 'Who may start a conversation, by default')}
            hint={t(
              'settings.allowMessagesFromDefault.hint',
              'For users who did not choose. Default: everyone. Contacts: people they wrote to or whose request they accepted.',
            )}
            value={values.allowMessagesFromDefault}
            onChange={(v) => set('allowMessagesFromDefault', v)}
            options={[
              { value: 'everyone', label: t('settings.allowMessagesFrom.everyone', 'Everyone') },
              { value: 'contacts', label: t('settings.allowMessagesFrom.contacts', 'Contacts only') },
              { value: 'nobody', label: t('settings.allowMessagesFrom.nobody', 'Nobody') },
            ]}
          />
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <ToggleField
            {...common('messageRequests')}
            label={t('settings.messageRequests', 'Message requests')}
            hint={t(
              'settings.messageRequests.hint',
              'Off by default. On: a first message from someone who is not a contact waits in the Requests folder, without email, until it is accepted.',
            )}
            value={values.messageRequests}
            onChange={(v) => set('messageRequests', v)}
          />
        </Grid.Item>
        {number(
          'requestMessageLimit',
          t('settings.requestMessageLimit', 'Messages before an answer'),
          t('settings.requestMessageLimit.hint', 'What the author of a request may send until it is accepted. Default: 3.'),
        )}
        {number(
          'strangerDailyThreads',
          t('settings.strangerDailyThreads', 'New conversations with strangers per day'),
          t('settings.strangerDailyThreads.hint', 'Per user, with people who are not contacts; replies never count. 0 (the default) turns it off.'),
        )}
        {number(
          'newAccountDays',
          t('settings.newAccountDays', 'An account is new for (days)'),
          t('settings.newAccountDays.hint', '0 (the default) turns the new-account limit off.'),
        )}
        {number(
          'newAccountDailyThreads',
          t('settings.newAccountDailyThreads', 'New conversations per day for new accounts'),
          t('settings.newAccountDailyThreads.hint', 'Stops scripts that sign up to spam; 0 (the default) turns it off.'),
        )}
      </Grid.Root>
    </Section>
  );
};
