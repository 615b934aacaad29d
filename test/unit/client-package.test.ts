import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/*
 * The client package (client/, built by scripts/build-client.js) as a front end gets it: no
 * dependencies, React an optional peer, declarations that need neither zod nor the server's sources,
 * codes as literal unions (a misspelt one does not compile), and shapes shown by their names.
 */

const ROOT = path.resolve(__dirname, '../..');
const CLIENT = path.join(ROOT, 'client');
const DIST = path.join(CLIENT, 'dist');
const DIR = path.join(ROOT, 'test/.tmp/client-package');
const { buildClient } = require(path.join(ROOT, 'scripts/build-client.js'));

const CONSUMER = `import { createPrivateMessagesClient, isPrivateMessagesError, type Thread } from 'strapi-private-messages-client';
import { PrivateMessagesProvider, useInbox, useThread, useUnreadCount, useSend } from 'strapi-private-messages-client/react';

const pm = createPrivateMessagesClient({ baseUrl: 'http://localhost:1337', getToken: async ({ refresh }) => (refresh ? 'renewed' : 'current') });
export const hovered = pm.threads.get('t1');

export const check = async (e: unknown) => {
  const first: Thread | undefined = (await pm.threads.list({ unread: true })).data[0];
  if (isPrivateMessagesError(e)) {
    if (e.code === 'blocked' || e.code === 'rate_limited') return first;
    // @ts-expect-error a misspelt code is not one of the server's
    if (e.code === 'blokced') return first;
    // @ts-expect-error nor is it a refused recipient's
    if (e.refused.some((r) => r.code === 'blokced')) return first;
  }
  if (isPrivateMessagesError<'office_hours'>(e) && e.code === 'office_hours') return first;
  return undefined;
};
export const hooks = [PrivateMessagesProvider, useInbox, useThread, useUnreadCount, useSend];
`;

/** A site with fields of its own: the client's type parameter types them in answers and bodies. */
const SITE_FIELDS = `import { createPrivateMessagesClient, type PrivateMessagesClient } from 'strapi-private-messages-client';

type OrderFields = { thread: { orderId: string }; message: { priority: 'low' | 'high' } };
const pm = createPrivateMessagesClient<OrderFields>({ baseUrl: 'http://localhost:1337', getToken: async () => 'token' });
export const typed: PrivateMessagesClient<OrderFields> = pm;

const upper = (value: string) => value.toUpperCase();
export const orders = async () => {
  const thread = (await pm.threads.list()).data[0];
  const orderId: string | undefined = thread?.fields.orderId;
  const shown = thread?.fields.orderId === undefined ? '' : upper(thread.fields.orderId);
  // @ts-expect-error orderId is a string (or missing), not a number
  const wrong: number | undefined = thread?.fields.orderId;
  // @ts-expect-error a field the site did not declare
  thread?.fields.customerId;
  const { data } = await pm.threads.get('t1');
  const priority: 'low' | 'high' | undefined = data.messages[0]?.fields.priority;
  // @ts-expect-error priority is one of the site's values
  const loud: 'urgent' | undefined = data.messages[0]?.fields.priority;
  for await (const each of pm.threads.all()) upper(each.fields.orderId ?? '');
  await pm.threads.create({ recipients: [{ type: 'user', id: 2 }], body: 'hi', fields: { orderId: 'A-1' }, messageFields: { priority: 'high' } });
  // @ts-expect-error a body's field takes the site's type too
  await pm.threads.create({ recipients: [{ type: 'user', id: 2 }], body: 'hi', fields: { orderId: 1 } });
  await pm.threads.reply('t1', { body: 'hi', fields: { priority: 'low' } });
  // @ts-expect-error nor a value outside the site's
  await pm.threads.reply('t1', { body: 'hi', fields: { priority: 'urgent' } });
  return [orderId, shown, wrong, priority, loud];
};
`;

beforeAll(async () => {
  await buildClient();
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  fs.writeFileSync(path.join(DIR, 'consumer.ts'), CONSUMER);
  fs.writeFileSync(path.join(DIR, 'site-fields.ts'), SITE_FIELDS);
}, 120_000);

const compilerOptions = {
  target: 'ES2020', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, skipLibCheck: false,
  lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [], typeRoots: [path.join(ROOT, 'node_modules/@types')],
  baseUrl: '.',
  paths: {
    'strapi-private-messages-client': [path.join(DIST, 'index.d.ts')],
    'strapi-private-messages-client/react': [path.join(DIST, 'react/index.d.ts')],
    react: [path.join(ROOT, 'node_modules/@types/react/index.d.ts')],
  },
};

it('has no dependencies, and React is an optional peer', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(CLIENT, 'package.json'), 'utf8'));
  expect(pkg.dependencies).toBeUndefined();
  expect(pkg.peerDependenciesMeta.react.optional).toBe(true);
  for (const file of fs.readdirSync(DIST, { recursive: true }).map(String)) {
    if (!file.endsWith('.d.ts') && !/\.(mjs|cjs)$/.test(file)) continue;
    const text = fs.readFileSync(path.join(DIST, file), 'utf8');
    expect(`${file}: ${/\bzod\b|server\/src/.test(text)}`).toBe(`${file}: false`);
  }
});

/** Compiles one front-end file strictly against the packed declarations (each `@ts-expect-error` must fail). */
const compiles = (file: string) => {
  const config = path.join(DIR, `tsconfig.${file}.json`);
  fs.writeFileSync(config, JSON.stringify({ include: [`./${file}`], compilerOptions }));
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  expect(() => {
    try {
      execFileSync(process.execPath, [tsc, '-p', config], { cwd: ROOT, encoding: 'utf8' });
    } catch (error) {
      throw new Error((error as { stdout?: string }).stdout || String(error));
    }
  }).not.toThrow();
};

it('type-checks a front end strictly, and a misspelt code fails to compile', () => compiles('consumer.ts'), 120_000);

it('types a site’s own fields from the type parameter, and a wrong type fails to compile', () => {
  expect(fs.readFileSync(path.join(DIST, 'client.d.ts'), 'utf8')).toContain('export interface PrivateMessagesClient<F extends SiteFields = SiteFields>');
  compiles('site-fields.ts');
}, 120_000);

it('shows a method’s answer by the names of its shapes', () => {
  const file = path.join(DIR, 'consumer.ts');
  const { options } = ts.convertCompilerOptionsFromJson(compilerOptions, DIR);
  const service = ts.createLanguageService({
    getCompilationSettings: () => options,
    getScriptFileNames: () => [file],
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) => (fs.existsSync(f) ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, 'utf8')) : undefined),
    getCurrentDirectory: () => DIR,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
  });
  const at = CONSUMER.indexOf('hovered = pm.threads.get') + 'hovered = pm.threads.'.length;
  const hover = ts.displayPartsToString(service.getQuickInfoAtPosition(file, at)?.displayParts);
  expect(hover).toContain('data: ThreadWithMessages');
  expect(hover).not.toContain('participants');
});
