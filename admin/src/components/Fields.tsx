import * as React from 'react';
import {
  Box,
  Field,
  Flex,
  MultiSelect,
  MultiSelectOption,
  NumberInput,
  SingleSelect,
  SingleSelectOption,
  TextInput,
  Textarea,
  Toggle,
  Typography,
} from '@strapi/design-system';
import { useIntl } from 'react-intl';
import type { Role } from '../api';
import type { FieldError } from '../utils/settingsForm';
import { getTrad } from '../utils/getTrad';

/* The inputs of the settings page: design-system fields with a label, a hint and an error each. */

type Common = {
  name: string;
  label: string;
  hint?: React.ReactNode;
  error?: FieldError;
  disabled?: boolean;
  required?: boolean;
};

const useErrorText = (error: FieldError | undefined) => {
  const { formatMessage } = useIntl();
  if (!error) return undefined;
  return typeof error === 'string' ? error : formatMessage(error, error.values);
};

const Wrapper = ({ name, label, hint, error, required, children }: Common & { children: React.ReactNode }) => (
  <Field.Root
    name={name}
    id={`pm-${name.replace(/\W/g, '-')}`}
    hint={hint}
    error={useErrorText(error)}
    required={required}
  >
    <Field.Label>{label}</Field.Label>
    {children}
    <Field.Hint />
    <Field.Error />
  </Field.Root>
);

export const NumberField = (
  props: Common & { value: number | undefined; onChange: (v: number | undefined) => void },
) => (
  <Wrapper {...props}>
    <NumberInput
      name={props.name}
      value={props.value}
      onValueChange={props.onChange}
      disabled={props.disabled}
      step={1}
    />
  </Wrapper>
);

export const TextField = (
  props: Common & { value: string; onChange: (v: string) => void; placeholder?: string; type?: string },
) => (
  <Wrapper {...props}>
    <TextInput
      name={props.name}
      type={props.type ?? 'text'}
      value={props.value}
      placeholder={props.placeholder}
      onChange={(e: React.ChangeEvent<HTMLInputElement>) => props.onChange(e.target.value)}
      disabled={props.disabled}
    />
  </Wrapper>
);

export const TextareaField = (
  props: Common & { value: string; onChange: (v: string) => void; placeholder?: string },
) => (
  <Wrapper {...props}>
    <Textarea
      name={props.name}
      value={props.value}
      placeholder={props.placeholder}
      onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => props.onChange(e.target.value)}
      disabled={props.disabled}
    />
  </Wrapper>
);

export const ToggleField = (props: Common & { value: boolean; onChange: (v: boolean) => void }) => {
  const { formatMessage } = useIntl();
  return (
    <Wrapper {...props}>
      <Toggle
        name={props.name}
        checked={props.value}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => props.onChange(e.target.checked)}
        disabled={props.disabled}
        onLabel={formatMessage({ id: getTrad('toggle.on'), defaultMessage: 'On' })}
        offLabel={formatMessage({ id: getTrad('toggle.off'), defaultMessage: 'Off' })}
      />
    </Wrapper>
  );
};

export const SelectField = <T extends string>(
  props: Common & { value: T; onChange: (v: T) => void; options: { value: T; label: string }[] },
) => (
  <Wrapper {...props}>
    <SingleSelect
      name={props.name}
      value={props.value}
      onChange={(v: string | number) => props.onChange(String(v) as T)}
      disabled={props.disabled}
    >
      {props.options.map((o) => (
        <SingleSelectOption key={o.value} value={o.value}>
          {o.label}
        </SingleSelectOption>
      ))}
    </SingleSelect>
  </Wrapper>
);

/**
 * A picker of users-permissions roles. When the roles cannot be listed (the admin lacks
 * users-permissions' "roles read" action), the ids already chosen are still shown.
 */
export const RolesField = (
  props: Common & { value: string[]; onChange: (v: string[]) => void; roles: Role[] | null; placeholder: string },
) => {
  const { formatMessage } = useIntl();
  const known = new Map((props.roles ?? []).map((r) => [String(r.id), r.name]));
  const options = [...known.keys(), ...props.value.filter((id) => !known.has(id))];
  const label = (id: string) =>
    known.get(id) ?? formatMessage({ id: getTrad('settings.roles.unknown'), defaultMessage: 'Role #{id}' }, { id });
  return (
    <Wrapper {...props}>
      <MultiSelect
        name={props.name}
        value={props.value}
        onChange={(v: string[]) => props.onChange(v)}
        disabled={props.disabled}
        // The chosen roles as a list of names, not tags: the design system's tags carry a remove
        // button with no accessible name (WCAG 4.1.2), and unchecking an option removes a role as well.
        placeholder={props.placeholder}
        customizeContent={(values?: string[]) => (values ?? []).map(label).join(', ')}
      >
        {options.map((id) => (
          <MultiSelectOption key={id} value={id}>
            {label(id)}
          </MultiSelectOption>
        ))}
      </MultiSelect>
    </Wrapper>
  );
};

/** A titled white card grouping fields, as Strapi's own settings pages do. */
export const Section = ({
  title,
  description,
  children,
}: {
  title: string;
  description?: string;
  children: React.ReactNode;
}) => (
  <Box
    background="neutral0"
    hasRadius
    shadow="filterShadow"
    paddingTop={6}
    paddingBottom={6}
    paddingLeft={7}
    paddingRight={7}
  >
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Flex direction="column" alignItems="stretch" gap={1}>
        <Typography variant="delta" tag="h2">
          {title}
        </Typography>
        {description ? (
          <Typography variant="pi" textColor="neutral600">
            {description}
          </Typography>
        ) : null}
      </Flex>
      {children}
    </Flex>
  </Box>
);
