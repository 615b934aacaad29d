import * as React from 'react';
import { useAPIErrorHandler, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { apiErrorOf, statusOf, type FieldsConfig, type FormatName, type Role, type Settings } from '../api';
import { PERMISSIONS } from '../permissions';
import {
  changedSettings,
  fromFormValues,
  serverErrorsToForm,
  toFormValues,
  type FormErrors,
  type FormValues,
} from '../utils/settingsForm';

type Translate = (id: string, defaultMessage: string, values?: Record<string, React.ReactNode>) => string;

/**
 * The settings page's data: loads the settings and role names, keeps the form's values and
 * errors, and saves only what changed (a 400's errors land under their fields).
 */
export const useSettingsForm = (t: Translate) => {
  const { get, put } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { formatAPIError } = useAPIErrorHandler();
  const {
    isLoading: isLoadingPermissions,
    allowedActions: { canUpdate },
  } = useRBAC(PERMISSIONS.settingsUpdate); // an array: the object form is deprecated (console warning)

  const [initial, setInitial] = React.useState<Settings | null>(null);
  const [values, setValues] = React.useState<FormValues | null>(null);
  const [roles, setRoles] = React.useState<Role[] | null | undefined>(undefined);
  const [errors, setErrors] = React.useState<FormErrors>({});
  const [loadError, setLoadError] = React.useState(false);
  const [isSaving, setIsSaving] = React.useState(false);

  React.useEffect(() => {
    let cancelled = false;
    get<{ data: Settings }>('/private-messages/settings')
      .then(({ data }) => {
        if (cancelled) return;
        setInitial(data.data);
        setValues(toFormValues(data.data));
      })
      .catch(() => !cancelled && setLoadError(true));
    // Role names, through the plugin's own route (guarded by settings.read like this page).
    get<{ data: Role[] }>('/private-messages/roles')
      .then(({ data }) => !cancelled && setRoles(data.data))
      .catch(() => !cancelled && setRoles(null));
    return () => {
      cancelled = true;
    };
  }, [get]);

  const readOnly = !canUpdate;
  const modified = React.useMemo(
    () => initial !== null && values !== null && JSON.stringify(values) !== JSON.stringify(toFormValues(initial)),
    [initial, values],
  );

  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => {
    setValues((v) => (v ? { ...v, [key]: value } : v));
  };
  const setFormat = (format: FormatName, key: 'allowedTags' | 'allowedAttributes', value: string) => {
    setValues((v) => (v ? { ...v, formats: { ...v.formats, [format]: { ...v.formats[format], [key]: value } } } : v));
  };

  const handleSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!values || !initial || readOnly) return;
    const { settings, errors: found } = fromFormValues(values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      toggleNotification({
        type: 'danger',
        message: t('settings.notification.invalid', 'Some settings are not valid: see the messages under the fields.'),
      });
      return;
    }
    const changes = changedSettings(initial, settings);
    if (Object.keys(changes).length === 0) {
      setValues(toFormValues(initial));
      return;
    }
    setIsSaving(true);
    try {
      const { data } = await put<{ data: Settings }>('/private-messages/settings', changes);
      setInitial(data.data);
      setValues(toFormValues(data.data));
      toggleNotification({ type: 'success', message: t('settings.notification.saved', 'Settings saved') });
    } catch (error) {
      const body = apiErrorOf(error);
      if (statusOf(error) === 400) setErrors(serverErrorsToForm(body?.details?.errors));
      toggleNotification({
        type: 'danger',
        message: body?.message ?? formatAPIError(error as Parameters<typeof formatAPIError>[0]),
      });
    } finally {
      setIsSaving(false);
    }
  };

  return {
    /** The custom field declarations of config/plugins, listed read-only. */
    declaredFields: (initial as (Settings & { fields?: FieldsConfig }) | null)?.fields,
    canUpdate,
    isLoadingPermissions,
    values,
    roles,
    errors,
    loadError,
    isSaving,
    readOnly,
    modified,
    set,
    setFormat,
    handleSubmit,
  };
};
