import * as React from 'react';
import { Button, Dialog, Typography } from '@strapi/design-system';
import { WarningCircle } from '@strapi/icons';
import { useIntl } from 'react-intl';
import type { Suspension } from '../api';
import { getTrad } from '../utils/getTrad';

type Props = {
  suspension: Suspension | null;
  userName: string;
  onClose: () => void;
  onConfirm: (suspension: Suspension) => Promise<void>;
};

/** Confirms lifting a suspension, as ResolveDialog confirms a moderation action. */
export const LiftDialog = ({ suspension, userName, onClose, onConfirm }: Props) => {
  const { formatMessage } = useIntl();
  const t = (id: string, defaultMessage: string, values?: Record<string, string | number>) =>
    formatMessage({ id: getTrad(id), defaultMessage }, values);
  const [isSubmitting, setIsSubmitting] = React.useState(false);

  const confirm = async () => {
    if (!suspension) return;
    setIsSubmitting(true);
    try {
      await onConfirm(suspension);
    } finally {
      setIsSubmitting(false);
    }
  };

  return (
    <Dialog.Root open={suspension !== null} onOpenChange={(open: boolean) => !open && !isSubmitting && onClose()}>
      {suspension ? (
        <Dialog.Content>
          <Dialog.Header>{t('lift.title', 'Lift the suspension of {user}', { user: userName })}</Dialog.Header>
          <Dialog.Body icon={<WarningCircle fill="primary600" />}>
            <Typography textAlign="center">
              {t('lift.description', '{user} will be able to send private messages again.', { user: userName })}
            </Typography>
          </Dialog.Body>
          <Dialog.Footer>
            <Dialog.Cancel>
              <Button variant="tertiary" fullWidth disabled={isSubmitting}>
                {t('resolve.cancel', 'Cancel')}
              </Button>
            </Dialog.Cancel>
            <Button fullWidth onClick={confirm} loading={isSubmitting}>
              {t('lift.confirm', 'Lift the suspension')}
            </Button>
          </Dialog.Footer>
        </Dialog.Content>
      ) : null}
    </Dialog.Root>
  );
};
