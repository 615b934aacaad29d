import fs from 'node:fs';
import path from 'node:path';

/*
 * Who may import whom in server/src (docs/architecture.md, "Who calls whom"), read from the import
 * statements themselves: no cycle between files, and the direction of each rule the architecture
 * states. Type-only imports count: a cycle of types still ties the files' meanings together. The
 * one exception is the services registry's type (utils/get-service.ts reads `typeof services`
 * from services/index.ts so that getService is typed); it is erased at run time.
 */

const SRC = path.resolve(__dirname, '../../server/src');

type Graph = Map<string, string[]>;

const sourceFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [full] : [];
  });

const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";=()]*?\s+from\s+)?['"]([^'"]+)['"]|\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** The relative imports of a file's text (static, re-exports, require and dynamic import), with whether each is type-only. */
const importsOf = (text: string) =>
  [...text.matchAll(IMPORT)].map((m) => ({ specifier: (m[2] ?? m[3]) as string, typeOnly: Boolean(m[1]) }));

const resolve = (from: string, specifier: string) => {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
};

const REGISTRY = { from: path.join(SRC, 'utils/get-service.ts'), to: path.join(SRC, 'services/index.ts') };

const buildGraph = (): Graph => {
  const graph: Graph = new Map();
  for (const file of sourceFiles(SRC)) {
    const targets = importsOf(fs.readFileSync(file, 'utf8'))
      .filter((i) => i.specifier.startsWith('.'))
      .filter((i) => !(i.typeOnly && file === REGISTRY.from && resolve(file, i.specifier) === REGISTRY.to))
      .map((i) => resolve(file, i.specifier))
      .filter((f): f is string => f !== undefined && f.startsWith(SRC));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
};

/** One cycle of the graph (its files in import order, the first repeated at the end), or null. */
const findCycle = (graph: Graph): string[] | null => {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return null;
};

const graph = buildGraph();
const relative = (f: string) => path.relative(SRC, f);
const importersOf = (isTarget: (file: string) => boolean, isImporter: (file: string) => boolean) =>
  [...graph].flatMap(([file, targets]) => (isImporter(relative(file)) ? targets.filter((t) => isTarget(relative(t))).map((t) => `${relative(file)} -> ${relative(t)}`) : []));

describe('the module graph of server/src', () => {
  it('reads imports as written: multi-line, type-only, re-exports, require', () => {
    const text = [
      "import {\n  a,\n  b,\n} from './one';",
      "import type { T } from '../two';",
      "export { c } from './three';",
      "export * from './four';",
      "const x = require('./five');",
      " * import { not } from './a-comment-line';",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: './one', typeOnly: false },
      { specifier: '../two', typeOnly: true },
      { specifier: './three', typeOnly: false },
      { specifier: './four', typeOnly: false },
      { specifier: './five', typeOnly: false },
    ]);
  });

  it('finds a cycle when there is one', () => {
    const g: Graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeNull();
  });

  it('has every file of server/src, and their imports', () => {
    expect(graph.get(path.join(SRC, 'services/messaging.ts'))).toContain(path.join(SRC, 'repositories/threads.ts'));
  });

  it('has no import cycle between files', () => {
    expect(findCycle(graph)?.map(relative) ?? null).toBeNull();
  });

  it('services never import the importer; the importer may import services and repositories', () => {
    expect(importersOf((t) => t.startsWith('import/'), (f) => f.startsWith('services/'))).toEqual([]);
  });

  it('repositories import neither services nor the importer', () => {
    expect(importersOf((t) => t.startsWith('services/') || t.startsWith('import/'), (f) => f.startsWith('repositories/'))).toEqual([]);
  });

  it('controllers, routes and middlewares reach the database only through services', () => {
    expect(importersOf((t) => t.startsWith('repositories/'), (f) => /^(controllers|routes|middlewares)\//.test(f))).toEqual([]);
  });

  it('bootstrap, destroy and the plugin entry reach the database only through services', () => {
    expect(importersOf((t) => t.startsWith('repositories/'), (f) => ['bootstrap.ts', 'destroy.ts', 'register.ts', 'index.ts'].includes(f))).toEqual([]);
  });

  it('no repository is a barrel re-exporting other files (each function is imported from the file that owns it)', () => {
    const barrels = sourceFiles(path.join(SRC, 'repositories')).filter((f) => /^\s*export\s+\*\s+from\s/m.test(fs.readFileSync(f, 'utf8')));
    expect(barrels.map(relative)).toEqual([]);
  });

  it('the inbox does not call the tags service (tags calls the inbox: one direction)', () => {
    expect(fs.readFileSync(path.join(SRC, 'services/inbox.ts'), 'utf8')).not.toMatch(/getService\(\s*'tags'/);
  });

  it('messages are soft-deleted by messaging alone (moderation goes through it)', () => {
    const writers = sourceFiles(path.join(SRC, 'services')).filter((f) => /softDeleteMessage\(/.test(fs.readFileSync(f, 'utf8')));
    expect(writers.map(relative)).toEqual(['services/message-deletion.ts']);
  });
});
