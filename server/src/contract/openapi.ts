import { z } from 'zod';
import { emptyBodySchema } from '../validation';
import { ERROR_NAMES, REFUSAL_CODES, REQUEST_CODES } from './errors';
import { contractSchemas } from './responses';
import { CONTENT_API_PREFIX, contentApiRoutes, responseSchemaOf, type RouteContract } from './routes';

/*
 * docs/openapi.json, made from the route table (`npm run openapi` writes it; a test fails when the
 * committed file differs). zod 4's own converter, as Strapi's `@strapi/openapi` uses: named schemas
 * become components, the rest is inlined.
 */

type JsonSchema = Record<string, unknown>;
const COMPONENTS = '#/components/schemas/';

/** Our schemas' `$defs` references point at the document's components instead. */
const toComponentRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonSchema = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$schema' || key === '$defs' || key === '$id') continue;
    out[key] = key === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', COMPONENTS) : toComponentRefs(v);
  }
  return out;
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  toComponentRefs(z.toJSONSchema(schema, { io, metadata: contractSchemas, target: 'draft-2020-12' })) as JsonSchema;

const openApiPath = (path: string) => CONTENT_API_PREFIX + path.replace(/:(\w+)/g, '{$1}');

const parameters = (r: RouteContract) => {
  const list: JsonSchema[] = [];
  for (const [where, schema] of [['path', r.params], ['query', r.query], ['header', r.headers]] as const) {
    if (!schema) continue;
    const s = jsonSchema(schema, 'input');
    const required = new Set((s.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries((s.properties ?? {}) as Record<string, JsonSchema>)) {
      const { description, ...rest } = property;
      list.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return list;
};

const ERROR_MEANINGS: Record<number, string> = {
  400: 'Malformed input (an unknown key included): `details.errors` lists each offending path',
  401: 'No or bad JWT',
  403: 'Forbidden: the role lacks this action (Strapi’s own 403, also without a JWT), or a rule refused it',
  404: 'Not found, or the caller is not a member (never reveals that a thread exists)',
  409: 'Conflict: a duplicate, or the caller’s state does not allow it (`staged_limit`: too many files uploaded and not sent)',
  413: 'The message body is over the configured maximum length, or a file over `attachments.maxSize`',
  422: 'The `Idempotency-Key` was used before for a different request (`idempotency_key_reused`), or a scanner found a file infected (`infected`)',
  429: 'Rate limit exceeded: wait `Retry-After` seconds',
  503: 'The database gave up on the request for a passing reason (a deadlock, a lost connection) after retrying it: nothing was changed, send it again after `Retry-After` seconds (`unavailable`)',
};

const errorResponse = (status: number, r: RouteContract) => {
  const codes =
    status === 403 || status === 429
      ? (r.codes ?? []).filter((c) => (status === 429 ? c === 'rate_limited' : c !== 'rate_limited' && c !== 'idempotency_key_reused'))
      : status === 422
        ? (r.codes ?? []).filter((c) => c === 'idempotency_key_reused' || c === 'infected')
        : status === 409
          ? (r.codes ?? []).filter((c) => c === 'staged_limit')
          : status === 503
            ? ['unavailable', ...(r.codes ?? []).filter((c) => c === 'scan_failed')]
            : [];
  const name = ERROR_NAMES[status as keyof typeof ERROR_NAMES];
  return {
    description: `${name}. ${ERROR_MEANINGS[status]}${codes.length ? `. Codes: ${codes.map((c) => `\`${c}\``).join(', ')}` : ''}`,
    ...(status === 429 || status === 503 ? { headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } } } : {}),
    content: { 'application/json': { schema: { $ref: `${COMPONENTS}Error` } } },
  };
};

/**
 * An action route (mark read, leave, a stream ticket) takes no body: it accepts none, or `{}`, so
 * its body is declared but not required (a generated client must not be made to send one).
 */
const requestBody = (body: z.ZodType) => ({
  required: body !== emptyBodySchema,
  content: { 'application/json': { schema: jsonSchema(body, 'input') } },
});

/** An upload: one or more files in the multipart field `files`. */
const MULTIPART_FILES = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        properties: { files: { type: 'array', items: { type: 'string', contentMediaType: 'application/octet-stream' } } },
        required: ['files'],
      },
    },
  },
};

/** The `$ref`s anywhere in `value`, as component names. */
const referencedComponents = (value: unknown, found = new Set<string>()): Set<string> => {
  if (Array.isArray(value)) value.forEach((v) => referencedComponents(v, found));
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string' && v.startsWith(COMPONENTS)) found.add(v.slice(COMPONENTS.length));
      else referencedComponents(v, found);
    }
  }
  return found;
};

/**
 * The named schemas some operation uses, directly or through another schema: a schema registered
 * for the client alone (e.g. the stream's events, which are not a JSON answer) stays out of the
 * document rather than sit there unused.
 */
const usedComponents = (paths: unknown, schemas: Record<string, unknown>) => {
  const used = new Set<string>();
  const pending = [...referencedComponents(paths)];
  while (pending.length) {
    const name = pending.pop()!;
    if (used.has(name) || !(name in schemas)) continue;
    used.add(name);
    pending.push(...referencedComponents(schemas[name]));
  }
  return Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
};

const operation = (r: RouteContract) => {
  const response = responseSchemaOf(r);
  const success =
    r.produces === 'text/event-stream'
      ? { description: 'Server-Sent Events', content: { 'text/event-stream': { schema: { type: 'string' } } } }
      : r.produces === 'application/json'
        ? { description: 'A JSON document, as a download', content: { 'application/json': { schema: { type: 'object' } } } }
        : r.produces === 'application/octet-stream'
          ? { description: 'The bytes (206 with a Range header; 302 to a signed URL with provider storage)', content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } }
          : r.status === 204
            ? { description: 'No content' }
            : { description: 'OK', content: { 'application/json': { schema: jsonSchema(response!, 'output') } } };
  const statuses = [...new Set([400, 401, 403, ...r.errors, ...(r.produces ? [] : [503])])].sort();
  const [controller, action] = r.action.split('.');
  return {
    operationId: r.operation,
    summary: r.summary,
    description: `users-permissions action \`plugin::private-messages.${r.action}\`${r.codes?.length ? `. Refusal codes: ${r.codes.map((c) => `\`${c}\``).join(', ')}` : ''}`,
    tags: [controller],
    'x-strapi-action': { controller, action },
    ...(parameters(r).length ? { parameters: parameters(r) } : {}),
    ...(r.body ? { requestBody: requestBody(r.body) } : {}),
    ...(r.consumes ? { requestBody: MULTIPART_FILES } : {}),
    responses: {
      [r.status]: success,
      ...Object.fromEntries(statuses.map((s) => [s, errorResponse(s, r)])),
    },
  };
};

export const allContentApiRoutes = (): readonly RouteContract[] => contentApiRoutes;

/** The package's license (package.json), as an SPDX identifier. */
export const LICENSE = 'MIT';

export const buildOpenApiDocument = (version: string) => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of allContentApiRoutes()) {
    paths[openApiPath(r.path)] ??= {};
    paths[openApiPath(r.path)][r.method.toLowerCase()] = operation(r);
  }
  const { schemas } = z.toJSONSchema(contractSchemas, { uri: (id) => `${COMPONENTS}${id}`, target: 'draft-2020-12' });
  const components = Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, toComponentRefs(s)]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Private Messages for Strapi 5: content API',
      version,
      license: { name: `${LICENSE} License`, identifier: LICENSE },
      description:
        'Routes of strapi-plugin-private-messages under /api/private-messages. Each is a users-permissions action a site ' +
        'builder grants per role. Errors use Strapi’s shape; refusals carry machine-readable codes: per recipient in ' +
        `\`details.refused[].code\` (${REFUSAL_CODES.join(', ')}, or a guard's own), for the whole request in \`details.code\` ` +
        `(${REQUEST_CODES.join(', ')}). Generated from server/src/contract by \`npm run openapi\`.`,
    },
    servers: [{ url: 'http://localhost:1337', description: 'a Strapi app with the plugin' }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'users-permissions JWT' } },
      schemas: usedComponents(paths, components),
    },
  };
};
