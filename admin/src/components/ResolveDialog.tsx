import * as React from 'react';
import { Field, Flex, Textarea, Typography } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import type { Resolution } from '../api';
import { getTrad } from '../utils/getTrad';
import { useResolutionLabels } from './labels';
import { ConfirmDialog } from './ConfirmDialog';

export const NOTE_MAX_LENGTH = 2000;

type Props = {
  action: Resolution | null;
  onClose: () => void;
  onConfirm: (action: Resolution, note: string) => Promise<void>;
};

/** Confirms one moderation action with an optional note kept with the report. */
export const ResolveDialog = ({ action, onClose, onConfirm }: Props) => {
  const { formatMessage } = useIntl();
  const t = (id: string, defaultMessage: string, values?: Record<string, string | number>) =>
    formatMessage({ id: getTrad(id), defaultMessage }, values);
  const labels = useResolutionLabels();
  const [note, setNote] = React.useState('');

  React.useEffect(() => {
    if (action) setNote('');
  }, [action]);

  const tooLong = note.trim().length > NOTE_MAX_LENGTH;
  const descriptions: Record<Resolution, string> = {
    dismiss: t('resolve.dismiss.description', 'The message stays as it is; the report is closed.'),
    deleteMessage: t(
      'resolve.deleteMessage.description',
      'The message is deleted for everyone in the thread; they see a placeholder instead.',
    ),
    disableSender: t(
      'resolve.disableSender.description',
      'The sender is suspended: they can no longer send messages until an administrator lifts it (their own settings cannot). They still receive messages.',
    ),
  };

  return (
    <ConfirmDialog
      open={action !== null}
      title={action ? t('resolve.title', 'Resolve the report: {action}', { action: labels[action] }) : null}
      iconColor={action === 'dismiss' ? 'primary600' : 'danger600'}
      confirmLabel={t('resolve.confirm', 'Confirm')}
      confirmVariant={action === 'dismiss' ? 'default' : 'danger-light'}
      confirmDisabled={tooLong}
      onClose={onClose}
      onConfirm={async () => {
        if (action && !tooLong) await onConfirm(action, note.trim());
      }}
    >
      <Flex direction="column" alignItems="stretch" gap={4} width="100%">
        <Typography textAlign="center">{action ? descriptions[action] : null}</Typography>
        <Field.Root
          name="note"
          id="pm-resolve-note"
          hint={t(
            'resolve.note.hint',
            'Kept with the report for other moderators (at most {max, number} characters).',
            {
              max: NOTE_MAX_LENGTH,
            },
          )}
          error={
            tooLong
              ? t('validation.tooLong', 'At most {max, number} characters.', { max: NOTE_MAX_LENGTH })
              : undefined
          }
        >
          <Field.Label>{t('resolve.note', 'Note')}</Field.Label>
          <Textarea
            name="note"
            value={note}
            onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setNote(e.target.value)}
            placeholder={t('resolve.note.placeholder', 'Why this decision?')}
          />
          <Field.Hint />
          <Field.Error />
        </Field.Root>
      </Flex>
    </ConfirmDialog>
  );
};
