import { useIntl } from 'react-intl';
import type { Resolution } from '../api';
import { getTrad } from '../utils/getTrad';

/** The translated names of the three moderation actions. */
export const useResolutionLabels = (): Record<Resolution, string> => {
  const { formatMessage } = useIntl();
  return {
    dismiss: formatMessage({ id: getTrad('resolution.dismiss'), defaultMessage: 'Dismiss' }),
    deleteMessage: formatMessage({ id: getTrad('resolution.deleteMessage'), defaultMessage: 'Delete the message' }),
    disableSender: formatMessage({
      id: getTrad('resolution.disableSender'),
      defaultMessage: "Disable the sender's messaging",
    }),
  };
};
