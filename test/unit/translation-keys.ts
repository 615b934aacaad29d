import fs from 'node:fs';
import path from 'node:path';

/**
 * The translation ids the admin code uses, with their default (English) messages, read from the
 * source: `t('id', 'default')`, `msg('id', 'default')` and `{ id: getTrad('id'), defaultMessage: 'default' }`.
 */
export const ADMIN_SRC = path.resolve(__dirname, '..', '..', 'admin', 'src');

const files = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });

const STRING = String.raw`('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")`;
const PATTERNS = [
  new RegExp(String.raw`\b(?:t|msg)\(\s*${STRING}\s*,\s*${STRING}`, 'g'),
  new RegExp(String.raw`id:\s*getTrad\(\s*${STRING}\s*\)\s*,\s*defaultMessage:\s*${STRING}`, 'g'),
];

const unquote = (s: string) => (0, eval)(s) as string;

export const usedTranslations = () => {
  const out = new Map<string, string>();
  for (const file of files(ADMIN_SRC)) {
    const source = fs.readFileSync(file, 'utf8');
    for (const re of PATTERNS) {
      for (const m of source.matchAll(re)) {
        const id = unquote(m[1]);
        const message = unquote(m[2]);
        if (out.has(id) && out.get(id) !== message) {
          throw new Error(`${id}: two different default messages ("${out.get(id)}" and "${message}")`);
        }
        out.set(id, message);
      }
    }
  }
  return out;
};

/** The ICU placeholders of a message (`{count}`, `{count, plural, ...}` → count). */
export const placeholders = (message: string) =>
  [...message.matchAll(/\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*[,}]/g)].map((m) => m[1]).sort();

if (require.main === module) {
  console.log(
    JSON.stringify(Object.fromEntries([...usedTranslations()].sort(([a], [b]) => a.localeCompare(b))), null, 2),
  );
}
