import * as React from 'react';
import { Grid } from '@strapi/design-system';
import type { FormErrors, FormValues } from '../utils/settingsForm';
import { NumberField, RolesField, Section } from './Fields';

type Props = {
  t: (id: string, defaultMessage: string, values?: Record<string, React.ReactNode>) => string;
  values: FormValues;
  roles: React.ComponentProps<typeof RolesField>['roles'];
  common: (name: string) => { name: string; error: FormErrors[string]; disabled: boolean };
  everyRole: string;
  boundsHint: string;
  set: <K extends keyof FormValues>(key: K, value: FormValues[K]) => void;
};

/** The settings page's "Deleted messages" section: who may read them, and when they are purged. */
export const DeletedMessagesSection = ({ t, values, roles, common, everyRole, boundsHint, set }: Props) => (
    <Section title={t('settings.section.deleted', 'Deleted messages')}>
      <Grid.Root gap={5}>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <RolesField
            {...common('viewDeletedRoles')}
            placeholder={everyRole}
            label={t('settings.viewDeletedRoles', 'Roles that may read deleted messages')}
            hint={t(
              'settings.viewDeletedRoles.hint',
              'Leave empty for every role holding the "view deleted messages" permission; both must allow.',
            )}
            roles={roles}
            value={values.viewDeletedRoles}
            onChange={(v) => set('viewDeletedRoles', v)}
          />
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <NumberField
            {...common('purgeDeletedAfterDays')}
            label={t(
              'settings.purgeDeletedAfterDays',
              'Remove deleted messages from the database after (days)',
            )}
            hint={t('settings.purgeDeletedAfterDays.hint', '0 keeps them forever. {bounds}', {
              bounds: boundsHint,
            })}
            value={values.purgeDeletedAfterDays}
            onChange={(v) => set('purgeDeletedAfterDays', v)}
            required
          />
        </Grid.Item>
      </Grid.Root>
    </Section>);
