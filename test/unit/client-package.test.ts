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

beforeAll(async () => {
  await buildClient();
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  fs.writeFileSync(path.join(DIR, 'consumer.ts'), CONSUMER);
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

it('type-checks a front end strictly, and a misspelt code fails to compile', () => {
  fs.writeFileSync(path.join(DIR, 'tsconfig.json'), JSON.stringify({ include: ['./consumer.ts'], compilerOptions }));
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  expect(() => {
    try {
      execFileSync(process.execPath, [tsc, '-p', path.join(DIR, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
    } catch (error) {
      throw new Error((error as { stdout?: string }).stdout || String(error));
    }
  }).not.toThrow();
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
