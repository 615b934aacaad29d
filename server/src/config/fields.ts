import { z } from 'zod';

/*
 * Custom fields on threads and messages (privatemsg's fields on the message entity), declared in
 * config/plugins under `fields: {thread: {...}, message: {...}}`. Values are kept in a JSON column
 * on each row, whatever is declared: adding or removing a declaration needs no migration, and a
 * field declared again finds its stored values. A declaration is read once, at boot; a bad one
 * stops Strapi with the field's path and the problem.
 */

export const FIELD_TYPES = ['string', 'text', 'integer', 'decimal', 'boolean', 'enumeration', 'date', 'datetime'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** The longest value each text type may declare (and its default maxLength). */
export const MAX_LENGTH = { string: 255, text: 10_000 } as const;

const required = z.boolean().optional();
const bound = z.number().finite();

/** One declaration; each type takes only the options that mean something for it (strict). */
export const fieldDeclarationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('string'), required, maxLength: z.number().int().min(1).max(MAX_LENGTH.string).optional() }),
  z.strictObject({ type: z.literal('text'), required, maxLength: z.number().int().min(1).max(MAX_LENGTH.text).optional() }),
  z.strictObject({ type: z.literal('integer'), required, min: z.number().int().optional(), max: z.number().int().optional() }),
  z.strictObject({ type: z.literal('decimal'), required, min: bound.optional(), max: bound.optional() }),
  z.strictObject({ type: z.literal('boolean'), required }),
  z.strictObject({
    type: z.literal('enumeration'),
    required,
    enum: z
      .array(z.string().min(1).max(255))
      .min(1)
      .max(200)
      .refine((values) => new Set(values).size === values.length, 'must not repeat a value'),
  }),
  z.strictObject({ type: z.literal('date'), required }),
  z.strictObject({ type: z.literal('datetime'), required }),
]);
export type FieldDeclaration = z.infer<typeof fieldDeclarationSchema>;

/** A field name: it becomes a JSON key, a client property and an OpenAPI property. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

const declarationsOf = z
  .record(z.string().regex(FIELD_NAME, 'is not a valid field name (a letter, then letters, digits or _; at most 64)'), fieldDeclarationSchema)
  .superRefine((fields, ctx) => {
    for (const [name, d] of Object.entries(fields)) {
      if ('min' in d && d.min !== undefined && d.max !== undefined && d.min > d.max) {
        ctx.addIssue({ code: 'custom', path: [name, 'min'], message: 'must not be greater than max' });
      }
    }
  });

export const fieldsConfigSchema = z.strictObject({
  thread: declarationsOf.optional(),
  message: declarationsOf.optional(),
});

export type FieldDeclarations = Record<string, FieldDeclaration>;
export type FieldsConfig = { thread: FieldDeclarations; message: FieldDeclarations };

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `fields` of config/plugins, checked; throws naming each bad declaration's path and the problem. */
export const resolveFieldsConfig = (fileConfig: unknown): FieldsConfig => {
  const declared = isPlainObject(fileConfig) ? fileConfig.fields : undefined;
  const result = fieldsConfigSchema.safeParse(declared ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `fields.${i.path.map(String).join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration of plugin private-messages: ${problems}`);
  }
  return { thread: result.data.thread ?? {}, message: result.data.message ?? {} };
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isRealDate = (v: string) => {
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};

/** The schema of one declared field's value. */
export const fieldValueSchema = (d: FieldDeclaration): z.ZodType => {
  switch (d.type) {
    case 'string':
    case 'text':
      return z
        .string()
        .regex(/^[^\u0000]*$/, 'must not contain NUL characters')
        .max(d.maxLength ?? MAX_LENGTH[d.type]);
    case 'integer': {
      let s = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
      if (d.min !== undefined) s = s.min(d.min);
      if (d.max !== undefined) s = s.max(d.max);
      return s;
    }
    case 'decimal': {
      let s = z.number().finite();
      if (d.min !== undefined) s = s.min(d.min);
      if (d.max !== undefined) s = s.max(d.max);
      return s;
    }
    case 'boolean':
      return z.boolean();
    case 'enumeration':
      return z.enum(d.enum as [string, ...string[]]);
    case 'date':
      return z.string().regex(DATE, 'must be a date (YYYY-MM-DD)').refine(isRealDate, 'is not a real date');
    case 'datetime':
      // Stored and returned as ISO 8601 UTC, like every time the API answers.
      return z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString());
  }
};

/**
 * The values a request may give for these declarations: an object of declared fields only (an
 * undeclared key is a 400), required ones present; null or absent means no value.
 */
export const fieldValuesSchema = (declarations: FieldDeclarations) => {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, d] of Object.entries(declarations)) {
    shape[name] = d.required ? fieldValueSchema(d) : fieldValueSchema(d).nullable().optional();
  }
  const values = z.strictObject(shape);
  // Absent as a whole still checks the required fields (each named in the error).
  const schema = Object.values(declarations).some((d) => d.required) ? values.prefault({}) : values.optional();
  return schema as unknown as z.ZodType<Record<string, FieldValue | null> | undefined>;
};

export type FieldValue = string | number | boolean;

/**
 * The stored values a reader is shown: the declared fields that have a value fitting their
 * declaration (a value stored under an older, different declaration is not shown; {} when none).
 * The value schemas are built once, here, not per row.
 */
export const fieldsPresenter = (declarations: FieldDeclarations) => {
  const schemas = Object.entries(declarations).map(([name, d]) => [name, fieldValueSchema(d)] as const);
  return (stored: Record<string, unknown> | null): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (!stored) return out;
    for (const [name, schema] of schemas) {
      const value = stored[name];
      if (value === null || value === undefined) continue;
      const parsed = schema.safeParse(value);
      if (parsed.success) out[name] = parsed.data;
    }
    return out;
  };
};

/** What to store: the given values without the empty ones; null when nothing is left. */
export const storedFields = (values: Record<string, unknown> | undefined | null) => {
  if (!values) return null;
  const kept = Object.entries(values).filter(([, v]) => v !== null && v !== undefined);
  return kept.length === 0 ? null : JSON.stringify(Object.fromEntries(kept));
};

/** A JSON column as read back: text on SQLite (and some MySQL drivers), parsed on PostgreSQL. */
export const parseStoredFields = (v: unknown): Record<string, unknown> | null => {
  if (v === null || v === undefined) return null;
  const value = typeof v === 'string' ? JSON.parse(v) : v;
  return isPlainObject(value) ? value : null;
};
