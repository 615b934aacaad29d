import * as React from 'react';
import { Alert, Button, Flex, Grid } from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { Layouts, Page } from '@strapi/strapi/admin';
import { CustomFieldsSection } from '../components/CustomFields';
import { DeletedMessagesSection } from '../components/DeletedMessagesSection';
import { PrivacySection } from '../components/PrivacySection';
import { FormatsSection } from '../components/FormatsSection';
import { LimitsSection } from '../components/LimitsSection';
import { RequestsSection } from '../components/RequestsSection';
import { NotificationsSection } from '../components/NotificationsSection';
import { ContextsSection, type ContextDeclarations } from '../components/ContextsSection';
import { useSettingsForm } from '../hooks/useSettingsForm';
import { useIntl } from 'react-intl';
import { EMAIL_LEVELS, type FormatName } from '../api';
import {
  NumberField,
  RolesField,
  Section,
  SelectField,
  TextField,
  TextareaField,
  ToggleField,
} from '../components/Fields';
import { PERMISSIONS } from '../permissions';
import { getTrad } from '../utils/getTrad';
import { BOUNDS } from '../utils/settingsForm';

/** Settings → Private Messages: every setting of the plugin, read-only without the update action. */
const ProtectedSettingsPage = () => (
  <Page.Protect permissions={PERMISSIONS.settingsRead}>
    <SettingsPage />
  </Page.Protect>
);

const SettingsPage = () => {
  const { formatMessage } = useIntl();
  const t = (id: string, defaultMessage: string, values?: Record<string, React.ReactNode>) =>
    formatMessage({ id: getTrad(id), defaultMessage }, values as Record<string, string>);
  const [dismissed, setDismissed] = React.useState<Record<string, boolean>>({});
  const dismiss = (id: string) => () => setDismissed((d) => ({ ...d, [id]: true }));
  const form = useSettingsForm(t);
  const { canUpdate, isLoadingPermissions, values, roles, errors, loadError, isSaving, readOnly, modified, set } = form;
  const { setFormat, handleSubmit, declaredFields } = form;

  if (loadError) return <Page.Error />;
  if (isLoadingPermissions || !values || roles === undefined) return <Page.Loading />;

  const common = (name: string) => ({ name, error: errors[name], disabled: readOnly });
  const between = (path: keyof typeof BOUNDS) =>
    t('settings.hint.between', 'From {min, number} to {max, number}.', {
      min: BOUNDS[path].min,
      max: BOUNDS[path].max,
    });
  const emptyMeans = t('settings.roles.emptyMeansAll', 'Leave empty for every role.');
  const everyRole = t('settings.roles.placeholder', 'Every role');
  const formatLabel = (f: FormatName) =>
    ({
      plain_text: t('format.plain_text', 'Plain text'),
      basic_html: t('format.basic_html', 'Basic HTML'),
      full_html: t('format.full_html', 'Full HTML'),
    })[f];
  const emailLabel = {
    never: t('email.never', 'Never'),
    newThreads: t('email.newThreads', 'For new threads only'),
    firstUnread: t('email.firstUnread', 'For the first unread message of a thread'),
    every: t('email.every', 'For every message'),
  };

  return (
    <Page.Main aria-busy={isSaving}>
      <Page.Title>{t('settings.pageTitle', 'Settings - Private Messages')}</Page.Title>
      <form onSubmit={handleSubmit} noValidate>
        <Layouts.Header
          title={t('settings.title', 'Private Messages')}
          subtitle={t(
            'settings.subtitle',
            'Who may send messages, limits, formats, notifications and deleted messages.',
          )}
          primaryAction={
            canUpdate ? (
              <Button type="submit" startIcon={<Check />} disabled={!modified} loading={isSaving} size="S">
                {t('settings.save', 'Save')}
              </Button>
            ) : null
          }
        />
        <Layouts.Content>
          <Flex direction="column" alignItems="stretch" gap={6}>
            {readOnly && !dismissed.readOnly ? (
              <Alert
                variant="default"
                closeLabel={t('alert.close', 'Close')}
                onClose={dismiss('readOnly')}
                title={t('settings.readOnly.title', 'Read only')}
                data-testid="pm-settings-read-only"
              >
                {t('settings.readOnly.body', 'You may view these settings but not change them.')}
              </Alert>
            ) : null}
            {roles === null && !dismissed.roles ? (
              <Alert
                variant="warning"
                closeLabel={t('alert.close', 'Close')}
                onClose={dismiss('roles')}
                title={t('settings.roles.unavailable.title', 'Role names unavailable')}
              >
                {t(
                  'settings.roles.unavailable.body',
                  'The role names could not be loaded; roles are shown by id.',
                )}
              </Alert>
            ) : null}

            <Section
              title={t('settings.section.sending', 'Who may send')}
              description={t(
                'settings.section.sending.description',
                'Roles are the Users & Permissions roles of your site.',
              )}
            >
              <Grid.Root gap={5}>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <RolesField
                    {...common('allowedSenderRoles')}
                    placeholder={everyRole}
                    label={t('settings.allowedSenderRoles', 'Roles allowed to send')}
                    hint={emptyMeans}
                    roles={roles}
                    value={values.allowedSenderRoles}
                    onChange={(v) => set('allowedSenderRoles', v)}
                  />
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <RolesField
                    {...common('roleWritingRoles')}
                    placeholder={everyRole}
                    label={t('settings.roleWritingRoles', 'Roles allowed to write to a whole role')}
                    hint={t(
                      'settings.roleWritingRoles.hint',
                      'Leave empty for every role holding the "role recipients" permission; both must allow.',
                    )}
                    roles={roles}
                    value={values.roleWritingRoles}
                    onChange={(v) => set('roleWritingRoles', v)}
                  />
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <RolesField
                    {...common('unblockableRoles')}
                    placeholder={t('settings.roles.placeholderNone', 'No role')}
                    label={t('settings.unblockableRoles', 'Roles that cannot be blocked')}
                    hint={t(
                      'settings.unblockableRoles.hint',
                      'For example support staff. Leave empty to allow blocking anyone.',
                    )}
                    roles={roles}
                    value={values.unblockableRoles}
                    onChange={(v) => set('unblockableRoles', v)}
                  />
                </Grid.Item>
              </Grid.Root>
            </Section>

            <LimitsSection {...{ t, values, common, between, set }} />
            <RequestsSection {...{ t, values, common, between, set }} />

            <FormatsSection
              {...{ t, formatMessage, values, errors, readOnly, common, formatLabel, set, setFormat }}
            />

            <Section title={t('settings.section.notifications', 'Users and notifications')}>
              <Grid.Root gap={5}>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <ToggleField
                    {...common('messagingEnabledByDefault')}
                    label={t('settings.messagingEnabledByDefault', 'Users receive messages by default')}
                    hint={t(
                      'settings.messagingEnabledByDefault.hint',
                      'Until they turn messaging off in their preferences.',
                    )}
                    value={values.messagingEnabledByDefault}
                    onChange={(v) => set('messagingEnabledByDefault', v)}
                  />
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <SelectField
                    {...common('emailNotificationsDefault')}
                    label={t('settings.emailNotificationsDefault', 'Email notifications by default')}
                    hint={t(
                      'settings.emailNotificationsDefault.hint',
                      'For users who did not choose in their preferences.',
                    )}
                    value={values.emailNotificationsDefault}
                    onChange={(v) => set('emailNotificationsDefault', v)}
                    options={EMAIL_LEVELS.map((l) => ({ value: l, label: emailLabel[l] }))}
                  />
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <TextField
                    {...common('threadUrlTemplate')}
                    label={t('settings.threadUrlTemplate', 'Link to a thread in emails')}
                    hint={t(
                      'settings.threadUrlTemplate.hint',
                      "Your front end's address of a thread; {placeholder} is replaced.",
                      {
                        placeholder: '{threadId}',
                      },
                    )}
                    value={values.threadUrlTemplate}
                    onChange={(v) => set('threadUrlTemplate', v)}
                    required
                  />
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <TextareaField
                    {...common('moderatorEmails')}
                    label={t('settings.moderatorEmails', 'Also tell these addresses about new reports')}
                    hint={t(
                      'settings.moderatorEmails.hint',
                      'One address per line, besides admins holding the moderation permission.',
                    )}
                    value={values.moderatorEmails}
                    onChange={(v) => set('moderatorEmails', v)}
                  />
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <TextField
                    {...common('avatarField')}
                    label={t('settings.avatarField', 'User field holding the avatar')}
                    hint={t(
                      'settings.avatarField.hint',
                      'A media field or a URL string of the user; leave empty for none.',
                    )}
                    value={values.avatarField}
                    onChange={(v) => set('avatarField', v)}
                  />
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <TextField
                    {...common('defaultAvatarUrl')}
                    type="url"
                    label={t('settings.defaultAvatarUrl', 'Default avatar URL')}
                    hint={t('settings.defaultAvatarUrl.hint', 'For users without an avatar; leave empty for none.')}
                    value={values.defaultAvatarUrl}
                    onChange={(v) => set('defaultAvatarUrl', v)}
                  />
                </Grid.Item>
              </Grid.Root>
            </Section>

            <ContextsSection t={t} declarations={(values as { contexts?: ContextDeclarations }).contexts} />

            <DeletedMessagesSection
              {...{ t, values, roles, common, everyRole, set }}
              boundsHint={between('purgeDeletedAfterDays')}
            />
            <PrivacySection {...{ t, values, common, set }} boundsHint={between('auditRetentionDays')} />
            <NotificationsSection t={t} />
            <CustomFieldsSection fields={declaredFields} />
          </Flex>
        </Layouts.Content>
      </form>
    </Page.Main>
  );
};

export { ProtectedSettingsPage, SettingsPage };
export default ProtectedSettingsPage;
