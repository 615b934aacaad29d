import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/*
 * The README's React examples ("A front end in five minutes", "Contact the seller"), as written,
 * compile against the client's types (strapi-private-messages-client and its /react mapped to
 * client/src) with tsc --strict.
 */

const ROOT = path.resolve(__dirname, '../..');
const DIR = path.join(ROOT, 'test/.tmp/readme-client');

it.each([
  ['react-inbox', 'Inbox.tsx'],
  ['contact-seller', 'ContactSeller.tsx'],
])('the README’s %s example type-checks against the client', (marker, file) => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = readme.split(`<!-- readme:${marker} -->`)[1]?.match(/```tsx\n([\s\S]*?)```/)?.[1];
  expect(block).toBeDefined();
  const dir = path.join(DIR, marker);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), block!);
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      include: [`./${file}`],
      compilerOptions: {
        target: 'ES2020', module: 'ESNext', moduleResolution: 'Bundler', jsx: 'react-jsx', strict: true, noEmit: true,
        skipLibCheck: true, lib: ['ES2022', 'DOM'], types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')],
        baseUrl: '.', paths: {
          'strapi-private-messages-client': [path.join(ROOT, 'client/src/index.ts')],
          'strapi-private-messages-client/react': [path.join(ROOT, 'client/src/react/index.ts')],
          react: [path.join(ROOT, 'node_modules/@types/react/index.d.ts')],
        },
      },
    })
  );
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const run = () => execFileSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
  expect(() => {
    try {
      run();
    } catch (error) {
      throw new Error((error as { stdout?: string }).stdout || String(error));
    }
  }).not.toThrow();
}, 120_000);
