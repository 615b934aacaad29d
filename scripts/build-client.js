#!/usr/bin/env node
/*
 * Builds the client package (client/, the `strapi-private-messages-client` workspace) into
 * client/dist: ESM and CommonJS bundles of the client and of its React bindings (React external,
 * the bindings importing the client by the package's own name, so both share one
 * PrivateMessagesError), and declarations a front end can use without zod or the server's sources:
 * client/src/types.ts derives every type from the server's zod schemas, and its declaration is
 * replaced by the same types written out (interfaces named as in types.ts, e.g. `Thread`).
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');
const ts = require('typescript');
const { createPrinter, OPERATIONS_SOURCE } = require('./client-types');

const ROOT = path.resolve(__dirname, '..');
const CLIENT = path.join(ROOT, 'client');
const SRC = path.join(CLIENT, 'src');
const DIST = path.join(CLIENT, 'dist');
const NAME = require(path.join(CLIENT, 'package.json')).name;
const TYPES = path.join(SRC, 'types.ts');

// --- JavaScript -------------------------------------------------------------------------------------
/** The bindings import the client (`../index`, `../http`, ...): from the package itself, not a copy. */
const clientAsPackage = {
  name: 'client-as-package',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/(index|http|client|types|stream|pages)$/ }, (args) =>
      args.importer.startsWith(path.join(SRC, 'react')) ? { path: NAME, external: true } : undefined
    );
  },
};

const bundles = () =>
  Promise.all(
    [
      ['index', path.join(SRC, 'index.ts'), []],
      ['react', path.join(SRC, 'react/index.ts'), [clientAsPackage]],
    ].flatMap(([name, entry, plugins]) =>
      ['esm', 'cjs'].map((format) =>
        esbuild.build({
          entryPoints: [entry],
          bundle: true,
          format,
          platform: 'neutral',
          target: ['es2020'],
          external: ['react', 'react-dom'],
          outfile: path.join(DIST, `${name}.${format === 'esm' ? 'mjs' : 'cjs'}`),
          plugins,
          logLevel: 'warning',
        })
      )
    )
  );

// --- declarations -----------------------------------------------------------------------------------
const FLAT = path.join(SRC, '__flat_operations__.ts');

const compilerOptions = () => {
  const { config } = ts.readConfigFile(path.join(CLIENT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, CLIENT);
  return { ...options, noEmit: false, declaration: true, emitDeclarationOnly: true, rootDir: ROOT, jsx: ts.JsxEmit.ReactJSX };
};

/** A program over the client's entries plus a virtual module that instantiates every operation's types. */
const program = (outDir) => {
  const options = { ...compilerOptions(), outDir };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (path.resolve(f) === FLAT ? OPERATIONS_SOURCE : read(f));
  host.fileExists = (f) => path.resolve(f) === FLAT || exists(f);
  host.getSourceFile = (f, lang, ...rest) => (path.resolve(f) === FLAT ? ts.createSourceFile(f, OPERATIONS_SOURCE, lang, true) : getSourceFile(f, lang, ...rest));
  return ts.createProgram([path.join(SRC, 'index.ts'), path.join(SRC, 'react/index.ts'), FLAT], options, host);
};

const declarations = () => {
  const tmp = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'pm-client-dts-'));
  try {
    const prog = program(tmp);
    const diagnostics = ts.getPreEmitDiagnostics(prog);
    if (diagnostics.length) throw new Error(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }));
    prog.emit();
    const emitted = path.join(tmp, 'client/src');
    const printer = createPrinter(prog, SRC);
    fs.writeFileSync(path.join(emitted, 'types.d.ts'), printer.typesDeclaration());
    const clientDts = path.join(emitted, 'client.d.ts');
    fs.writeFileSync(clientDts, printer.clientDeclaration(fs.readFileSync(clientDts, 'utf8')));
    fs.rmSync(path.join(emitted, '__flat_operations__.d.ts'), { force: true });
    fs.cpSync(emitted, DIST, { recursive: true });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // Nothing of the server's may be left in what a front end installs.
  for (const file of fs.readdirSync(DIST, { recursive: true }).filter((f) => String(f).endsWith('.d.ts'))) {
    const text = fs.readFileSync(path.join(DIST, file), 'utf8');
    if (/from ['"](zod|\.\.\/.*server\/)/.test(text)) throw new Error(`client/dist/${file} still imports the server's types`);
  }
};

const buildClient = async () => {
  fs.rmSync(DIST, { recursive: true, force: true });
  await bundles();
  declarations();
};

if (require.main === module) {
  buildClient().then(
    () => console.log(`built ${path.relative(process.cwd(), DIST)}`),
    (error) => {
      console.error(error.message ?? error);
      process.exit(1);
    }
  );
}

module.exports = { buildClient, DIST };
