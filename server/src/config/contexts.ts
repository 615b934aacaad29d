import { z } from 'zod';
import { isHttpUrl } from './urls';

/*
 * Threads about a document ("contact the seller"), declared in config/plugins under
 * `contexts: {'<content-type uid>': {ownerField, titleField, urlTemplate, requests?}}`. The shape is
 * checked with the rest of the config; whether the content type and its fields exist can only be
 * checked once Strapi has loaded the content types (services/contexts.ts, at bootstrap). Either
 * way a bad declaration stops Strapi with the declaration's path and the problem.
 */

const USER_UID = 'plugin::users-permissions.user';
/** Attribute types a title can be read from: text a reader can be shown as it is. */
const TITLE_TYPES = ['string', 'text', 'uid', 'email', 'enumeration'];
/** Relations that give one user per document. */
const SINGLE_RELATIONS = ['manyToOne', 'oneToOne'];
/** A documentId-like stand-in, to check a template as the URL it becomes. */
const SAMPLE_DOCUMENT_ID = 'k2l3m4n5o6p7q8r9s0t1u2v3';

/** The document's public page: `{documentId}` replaced (URL-encoded) wherever it appears. */
export const contextUrl = (template: string, documentId: string) =>
  template.split('{documentId}').join(encodeURIComponent(documentId));

const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const contextDeclarationSchema = z.strictObject({
  ownerField: z.string().regex(ATTRIBUTE_NAME, 'is not an attribute name'),
  titleField: z.string().regex(ATTRIBUTE_NAME, 'is not an attribute name'),
  urlTemplate: z
    .string()
    .max(2048)
    .refine((t) => isHttpUrl(contextUrl(t, SAMPLE_DOCUMENT_ID)), 'must be an absolute http(s) URL once {documentId} is filled in'),
  /** Whether a first question may land in the owner's message requests (true unless set to false). */
  requests: z.boolean().optional(),
});
export type ContextDeclaration = z.infer<typeof contextDeclarationSchema>;
export type ContextDeclarations = Record<string, ContextDeclaration>;

/** A content-type uid of the site (`api::listing.listing`) or of a plugin. */
const CONTENT_TYPE_UID = /^(api|plugin)::[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export const contextsConfigSchema = z.record(
  z.string().regex(CONTENT_TYPE_UID, 'is not a content-type uid (api::<api>.<type>)'),
  contextDeclarationSchema
);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalid = (problems: string) => new Error(`Invalid configuration of plugin private-messages: ${problems}`);

/** `contexts` of config/plugins, its shape checked; throws naming each bad declaration's path. */
export const resolveContextsConfig = (fileConfig: unknown): ContextDeclarations => {
  const declared = isPlainObject(fileConfig) ? fileConfig.contexts : undefined;
  const result = contextsConfigSchema.safeParse(declared ?? {});
  if (!result.success) {
    // A bad key's own reason is nested in zod's "Invalid key in record".
    const reason = (i: (typeof result.error.issues)[number]) => (i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message);
    throw invalid(result.error.issues.map((i) => `contexts.${i.path.map(String).join('.')}: ${reason(i)}`).join('; '));
  }
  return result.data;
};

type Attribute = { type?: string; relation?: string; target?: string };
export type ContentTypeLookup = (uid: string) => { attributes: Record<string, Attribute> } | undefined;

/**
 * The declarations checked against the site's content types: the uid exists, the owner field is
 * a single relation to the users-permissions user, the title field is text. Throws naming each
 * problem (`contexts.<uid>.<key>`).
 */
export const checkContextsAgainstModels = (declarations: ContextDeclarations, contentType: ContentTypeLookup) => {
  const problems: string[] = [];
  for (const [uid, d] of Object.entries(declarations)) {
    const model = contentType(uid);
    if (!model) {
      problems.push(`contexts.${uid}: no content type ${uid} exists`);
      continue;
    }
    const owner = model.attributes[d.ownerField];
    if (!owner) problems.push(`contexts.${uid}.ownerField: ${uid} has no attribute ${d.ownerField}`);
    else if (owner.type !== 'relation' || owner.target !== USER_UID || !SINGLE_RELATIONS.includes(owner.relation ?? '')) {
      problems.push(`contexts.${uid}.ownerField: ${d.ownerField} is not a relation to one ${USER_UID} (manyToOne or oneToOne)`);
    }
    const title = model.attributes[d.titleField];
    if (!title) problems.push(`contexts.${uid}.titleField: ${uid} has no attribute ${d.titleField}`);
    else if (!TITLE_TYPES.includes(title.type ?? '')) {
      problems.push(`contexts.${uid}.titleField: ${d.titleField} is a ${title.type}, not text (${TITLE_TYPES.join(', ')})`);
    }
  }
  if (problems.length > 0) throw invalid(problems.join('; '));
};
