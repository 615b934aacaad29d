import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument, allContentApiRoutes } from '../../server/src/contract/openapi';

/*
 * docs/openapi.json: a valid OpenAPI 3.1 document (checked by an OpenAPI validator), the one the
 * route table generates (`npm run openapi` rewrites it), with every route in it.
 */

const ROOT = path.resolve(__dirname, '../..');
const committed = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/openapi.json'), 'utf8'));
const generated = () => buildOpenApiDocument(require(path.join(ROOT, 'package.json')).version);

describe('docs/openapi.json', () => {
  it('is what the route table generates (run `npm run openapi` after changing a route or a schema)', () => {
    expect(committed()).toEqual(JSON.parse(JSON.stringify(generated())));
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    // The validator is ESM only: it runs in a plain node process, outside jest's CommonJS transform.
    const script = `import { Validator } from '@seriousme/openapi-schema-validator';
      import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
      const result = await new Validator().validate(JSON.parse(fs.readFileSync(process.argv[1], 'utf8')));
      console.log(JSON.stringify(result));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, path.join(ROOT, 'docs/openapi.json')], { cwd: ROOT });
    expect(JSON.parse(out.toString())).toEqual({ valid: true });
    expect(committed().openapi).toBe('3.1.0');
  });

  it('describes every route with its parameters, answers and Strapi’s error shape', () => {
    const doc = committed();
    for (const r of allContentApiRoutes()) {
      const op = doc.paths[`/api/private-messages${r.path.replace(/:(\w+)/g, '{$1}')}`]?.[r.method.toLowerCase()];
      expect(op).toBeDefined();
      expect(op.operationId).toBe(r.operation);
      expect(op.responses[String(r.status)]).toBeDefined();
      for (const status of [400, ...r.errors]) {
        expect(op.responses[String(status)].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
      }
      for (const name of r.path.match(/:(\w+)/g) ?? []) {
        expect(op.parameters).toContainEqual(expect.objectContaining({ name: name.slice(1), in: 'path', required: true }));
      }
    }
    const create = doc.paths['/api/private-messages/threads'].post;
    expect(create.responses['403'].description).toContain('`blocked`');
    expect(create.responses['429'].headers['Retry-After']).toBeDefined();
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['status', 'name', 'message', 'details']);
  });

  it('states the package’s license', () => {
    const { license } = require(path.join(ROOT, 'package.json'));
    expect(committed().info.license).toEqual({ name: expect.any(String), identifier: license });
  });

  it('has no component that no operation uses, directly or through another component', () => {
    const doc = committed();
    const refs = (value: unknown): string[] =>
      JSON.stringify(value).match(/"#\/components\/schemas\/[^"]+"/g)?.map((r) => r.slice('"#/components/schemas/'.length, -1)) ?? [];
    const used = new Set<string>();
    const pending = refs(doc.paths);
    while (pending.length) {
      const name = pending.pop()!;
      if (used.has(name)) continue;
      used.add(name);
      pending.push(...refs(doc.components.schemas[name]));
    }
    expect(Object.keys(doc.components.schemas).sort()).toEqual([...used].sort());
  });

  it('requires a body only where a route takes one: action routes accept none', () => {
    const doc = committed();
    for (const r of allContentApiRoutes()) {
      const op = doc.paths[`/api/private-messages${r.path.replace(/:(\w+)/g, '{$1}')}`][r.method.toLowerCase()];
      if ('consumes' in r) {
        // An upload: files in the multipart field `files`, required.
        expect(op.requestBody).toMatchObject({ required: true, content: { 'multipart/form-data': { schema: { required: ['files'] } } } });
        continue;
      }
      if (!('body' in r)) {
        expect(op.requestBody).toBeUndefined();
        continue;
      }
      const schema = op.requestBody.content['application/json'].schema;
      const takesNothing = schema.type === 'object' && Object.keys(schema.properties ?? {}).length === 0;
      expect([r.operation, op.requestBody.required]).toEqual([r.operation, !takesNothing]);
    }
    expect(doc.paths['/api/private-messages/threads/{id}/read'].post.requestBody.required).toBe(false);
    expect(doc.paths['/api/private-messages/threads'].post.requestBody.required).toBe(true);
  });
});
