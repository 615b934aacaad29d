import { Typography } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import type { Suspension } from '../api';
import { getTrad } from '../utils/getTrad';
import { ConfirmDialog } from './ConfirmDialog';

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

  return (
    <ConfirmDialog
      open={suspension !== null}
      title={t('lift.title', 'Lift the suspension of {user}', { user: userName })}
      iconColor="primary600"
      confirmLabel={t('lift.confirm', 'Lift the suspension')}
      onClose={onClose}
      onConfirm={async () => {
        if (suspension) await onConfirm(suspension);
      }}
    >
      <Typography textAlign="center">
        {t('lift.description', '{user} will be able to send private messages again.', { user: userName })}
      </Typography>
    </ConfirmDialog>
  );
};
