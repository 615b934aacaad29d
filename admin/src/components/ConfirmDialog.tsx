import * as React from 'react';
import { Button, Dialog } from '@strapi/design-system';
import { WarningCircle } from '@strapi/icons';
import { useIntl } from 'react-intl';
import { getTrad } from '../utils/getTrad';

type Props = {
  open: boolean;
  title: React.ReactNode;
  iconColor: 'primary600' | 'danger600';
  confirmLabel: string;
  confirmVariant?: 'default' | 'danger-light';
  confirmDisabled?: boolean;
  onClose: () => void;
  /** Runs while the confirm button shows it is busy; until it settles the dialog cannot be closed. */
  onConfirm: () => Promise<void>;
  children: React.ReactNode;
};

/** The moderation pages' confirmation dialog (ResolveDialog, LiftDialog): a body, Cancel and a confirm button. */
export const ConfirmDialog = ({ open, title, iconColor, confirmLabel, confirmVariant, confirmDisabled, onClose, onConfirm, children }: Props) => {
  const { formatMessage } = useIntl();
  const [isSubmitting, setIsSubmitting] = React.useState(false);

  const confirm = async () => {
    setIsSubmitting(true);
    try {
      await onConfirm();
    } finally {
      setIsSubmitting(false);
    }
  };

  return (
    <Dialog.Root open={open} onOpenChange={(isOpen: boolean) => !isOpen && !isSubmitting && onClose()}>
      {open ? (
        <Dialog.Content>
          <Dialog.Header>{title}</Dialog.Header>
          <Dialog.Body icon={<WarningCircle fill={iconColor} />}>{children}</Dialog.Body>
          <Dialog.Footer>
            <Dialog.Cancel>
              <Button variant="tertiary" fullWidth disabled={isSubmitting}>
                {formatMessage({ id: getTrad('resolve.cancel'), defaultMessage: 'Cancel' })}
              </Button>
            </Dialog.Cancel>
            <Button fullWidth variant={confirmVariant} onClick={confirm} loading={isSubmitting} disabled={confirmDisabled}>
              {confirmLabel}
            </Button>
          </Dialog.Footer>
        </Dialog.Content>
      ) : null}
    </Dialog.Root>
  );
};
