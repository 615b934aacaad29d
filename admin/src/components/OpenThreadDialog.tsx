import * as React from 'react';
import { Box, Field, Flex, Textarea, Typography } from '@strapi/design-system';
import { useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { apiErrorOf, type InvestigatedThread } from '../api';
import { getTrad } from '../utils/getTrad';
import { messageText } from '../utils/messageText';
import { ConfirmDialog } from './ConfirmDialog';

type Props = { threadId: string | null; onClose: () => void };

/**
 * "Open thread": a moderator reads a whole thread for an investigation. The reason is required and
 * kept in the audit trail (GET /private-messages/threads/:id?reason=); the messages show once it is given.
 */
export const OpenThreadDialog = ({ threadId, onClose }: Props) => {
  const { formatMessage } = useIntl();
  const t = (id: string, defaultMessage: string, values?: Record<string, string | number>) =>
    formatMessage({ id: getTrad(id), defaultMessage }, values);
  const { get } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [reason, setReason] = React.useState('');
  const [thread, setThread] = React.useState<InvestigatedThread | null>(null);

  const close = () => {
    setReason('');
    setThread(null);
    onClose();
  };

  const open = async () => {
    try {
      const { data } = await get<{ data: InvestigatedThread }>(`/private-messages/threads/${threadId}`, { params: { reason: reason.trim() } });
      setThread(data.data);
    } catch (error) {
      toggleNotification({ type: 'danger', message: apiErrorOf(error)?.message ?? String(error) });
    }
  };

  return (
    <ConfirmDialog
      open={threadId !== null}
      title={t('open.title', 'Open the thread')}
      iconColor="primary600"
      confirmLabel={thread ? t('open.close', 'Close') : t('open.confirm', 'Open and record the reason')}
      confirmDisabled={!thread && reason.trim().length < 3}
      onClose={close}
      onConfirm={thread ? async () => close() : open}
    >
      {thread ? (
        <Flex direction="column" alignItems="stretch" gap={2} data-testid="pm-opened-thread">
          {thread.messages.map((m) => (
            <Box key={m.id}>
              <Typography fontWeight="bold">{m.author ? t('audit.user', 'user {id}', { id: m.author.id }) : t('user.deleted', 'Deleted user')}</Typography>
              <Typography style={{ whiteSpace: 'pre-wrap' }} textColor={m.deleted ? 'neutral500' : undefined}>
                {m.deleted ? t('open.deleted', '(deleted)') : messageText(m.body)}
              </Typography>
            </Box>
          ))}
        </Flex>
      ) : (
        <Field.Root name="reason" required hint={t('open.hint', 'Kept in the audit trail with your name.')}>
          <Field.Label>{t('open.reason', 'Why do you open this thread?')}</Field.Label>
          <Textarea value={reason} onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setReason(e.target.value)} />
          <Field.Hint />
        </Field.Root>
      )}
    </ConfirmDialog>
  );
};
