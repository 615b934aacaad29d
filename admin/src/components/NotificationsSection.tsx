import * as React from 'react';
import { Box, Button, Flex, Grid, Typography } from '@strapi/design-system';
import { useAPIErrorHandler, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { EMAIL_KINDS, type EmailKind, type EmailLocale, type EmailTemplate } from '../../../server/src/config/email-templates';
import { PERMISSIONS } from '../permissions';
import { NumberField, SelectField, TextareaField, TextField, Section } from './Fields';

type Translate = (id: string, defaultMessage: string, values?: Record<string, React.ReactNode>) => string;
type NotificationSettings = {
  emailDelaySeconds: number;
  emailLocale: EmailLocale;
  emailTemplates: Partial<Record<EmailKind, EmailTemplate | null>>;
};
type Preview = { subject: string; text: string; html: string };

const errorText = (error: unknown, fallback: string) =>
  (error as { response?: { data?: { error?: { message?: string } } } })?.response?.data?.error?.message ?? fallback;

/**
 * The settings page's "Notifications" section, with its own load and save (only its keys go to
 * PUT /settings): the email delay, the language of the default texts, and each email's subject and
 * body with a live preview rendered by the server (the function that renders the real emails) and
 * a "send me a test" button.
 */
export const NotificationsSection = ({ t }: { t: Translate }) => {
  const { get, put, post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { formatAPIError } = useAPIErrorHandler();
  const { allowedActions: { canUpdate } } = useRBAC(PERMISSIONS.settingsUpdate);
  const [saved, setSaved] = React.useState<NotificationSettings | null>(null);
  const [defaults, setDefaults] = React.useState<Record<EmailLocale, Record<EmailKind, EmailTemplate>> | null>(null);
  const [delay, setDelay] = React.useState<number | undefined>(0);
  const [locale, setLocale] = React.useState<EmailLocale>('en');
  const [kind, setKind] = React.useState<EmailKind>('newThread');
  const [texts, setTexts] = React.useState<Partial<Record<EmailKind, EmailTemplate | null>>>({});
  const [preview, setPreview] = React.useState<Preview | null>(null);
  const [problem, setProblem] = React.useState<string | null>(null);

  React.useEffect(() => {
    get<{ data: NotificationSettings }>('/private-messages/settings').then(({ data }) => {
      setSaved(data.data);
      setDelay(data.data.emailDelaySeconds);
      setLocale(data.data.emailLocale);
      setTexts(data.data.emailTemplates ?? {});
    });
    get<{ data: Record<EmailLocale, Record<EmailKind, EmailTemplate>> }>('/private-messages/settings/email-texts').then(({ data }) => setDefaults(data.data));
  }, [get]);

  const current: EmailTemplate | null = texts[kind] ?? defaults?.[locale][kind] ?? null;

  // The preview follows the text as it is typed (a short pause first).
  React.useEffect(() => {
    if (!current) return undefined;
    const timer = setTimeout(() => {
      post<{ data: Preview }>('/private-messages/settings/email-texts/preview', { kind, ...current, locale })
        .then(({ data }) => {
          setPreview(data.data);
          setProblem(null);
        })
        .catch((error) => setProblem(errorText(error, 'Invalid text')));
    }, 300);
    return () => clearTimeout(timer);
  }, [post, kind, locale, current?.subject, current?.body]);

  if (!saved || !defaults || !current) return null;
  const disabled = !canUpdate;
  const edit = (part: 'subject' | 'body', value: string) => setTexts((all) => ({ ...all, [kind]: { ...current, [part]: value } }));

  const save = async () => {
    try {
      const { data } = await put<{ data: NotificationSettings }>('/private-messages/settings', {
        emailDelaySeconds: delay ?? 0,
        emailLocale: locale,
        emailTemplates: texts,
      });
      setSaved(data.data);
      toggleNotification({ type: 'success', message: t('notifications.saved', 'Notification settings saved') });
    } catch (error) {
      toggleNotification({ type: 'danger', message: formatAPIError(error as never) });
    }
  };
  const sendTest = async () => {
    try {
      const { data } = await post<{ data: { to: string } }>('/private-messages/settings/email-texts/test', { kind, ...current, locale });
      toggleNotification({ type: 'success', message: t('notifications.test.sent', 'Test email sent to {to}', { to: data.data.to }) });
    } catch (error) {
      toggleNotification({ type: 'danger', message: formatAPIError(error as never) });
    }
  };
  const kindLabel = (k: EmailKind) =>
    ({
      newThread: t('notifications.kind.newThread', 'New thread'),
      reply: t('notifications.kind.reply', 'Reply'),
      digest: t('notifications.kind.digest', 'Digest'),
      report: t('notifications.kind.report', 'Report to moderators'),
    })[k];

  return (
    <Section
      title={t('notifications.section', 'Notifications')}
      description={t('notifications.section.description', 'When emails leave, and what they say.')}
    >
      <Grid.Root gap={5}>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <NumberField
            name="emailDelaySeconds"
            label={t('notifications.delay', 'Email delay (seconds)')}
            hint={t(
              'notifications.delay.hint',
              'Each notification email waits this long and is not sent if the recipient read the thread meanwhile (on the site, in any tab). 0 sends at once; at most 86400 (a day).',
            )}
            value={delay}
            onChange={setDelay}
            disabled={disabled}
          />
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <SelectField<EmailLocale>
            name="emailLocale"
            label={t('notifications.locale', 'Language of the default texts')}
            value={locale}
            onChange={setLocale}
            options={[
              { value: 'en', label: 'English' },
              { value: 'fr', label: 'Français' },
            ]}
            disabled={disabled}
          />
        </Grid.Item>
        <Grid.Item col={12} direction="column" alignItems="stretch">
          <SelectField<EmailKind>
            name="emailKind"
            label={t('notifications.kind', 'Email')}
            value={kind}
            onChange={setKind}
            options={EMAIL_KINDS.map((k) => ({ value: k, label: kindLabel(k) }))}
          />
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <Flex direction="column" alignItems="stretch" gap={3}>
            <TextField name="emailSubject" label={t('notifications.subject', 'Subject')} value={current.subject} onChange={(v) => edit('subject', v)} disabled={disabled} error={problem ?? undefined} />
            <TextareaField
              name="emailBody"
              label={t('notifications.body', 'Body')}
              hint={t('notifications.body.hint', 'Placeholders in double braces, e.g. {example}; values are escaped.', { example: '{{author}}' })}
              value={current.body}
              onChange={(v) => edit('body', v)}
              disabled={disabled}
            />
            {/* Like the page's own Save: an admin who may only read gets no buttons that change anything. */}
            {canUpdate ? (
              <Flex gap={2}>
                <Button type="button" variant="tertiary" onClick={() => setTexts((all) => ({ ...all, [kind]: null }))}>
                  {t('notifications.reset', 'Use the default text')}
                </Button>
                <Button type="button" variant="secondary" onClick={sendTest} disabled={problem !== null}>
                  {t('notifications.test', 'Send me a test')}
                </Button>
                <Button type="button" onClick={save}>
                  {t('notifications.save', 'Save notifications')}
                </Button>
              </Flex>
            ) : null}
          </Flex>
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <Box padding={4} background="neutral100" hasRadius data-testid="email-preview">
            <Typography variant="omega" fontWeight="bold" tag="p">
              {preview?.subject}
            </Typography>
            {/* The server's rendering: every value and the text itself are escaped there. */}
            <Box paddingTop={2} dangerouslySetInnerHTML={{ __html: preview?.html ?? '' }} />
          </Box>
        </Grid.Item>
      </Grid.Root>
    </Section>
  );
};
