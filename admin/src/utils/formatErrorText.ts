import type { useIntl } from 'react-intl';
import type { FormErrors } from './settingsForm';

/** A field's error as text: a message id of ours with its values, or the server's own message. */
export const formatErrorText = (error: FormErrors[string], formatMessage: ReturnType<typeof useIntl>['formatMessage']) =>
  typeof error === 'string' ? error : formatMessage(error, error.values);
