/*
 * Writes the client's types out for its package (used by scripts/build-client.js). client/src/types.ts
 * derives them from the server's zod schemas; a front end has neither zod nor the server's sources,
 * and tsc's own declarations would print every answer as one long object. This prints each type of
 * types.ts with its structure, and the client's methods with their answers, naming every shape that
 * has a name (`Thread`, `Message`, `RefusalCode`...), so an editor shows `Promise<{ data: Thread[] ... }>`.
 */
const path = require('node:path');
const ts = require('typescript');

const IDENT = /^[A-Za-z_$][\w$]*$/;
const GENERIC = {
  ParamsOf: "export type ParamsOf<O extends Operation> = Operations[O]['params'];",
  QueryOf: "export type QueryOf<O extends Operation> = Operations[O]['query'];",
  BodyOf: "export type BodyOf<O extends Operation> = Operations[O]['body'];",
  ResponseOf: "export type ResponseOf<O extends Operation> = Operations[O]['response'];",
};
/** A virtual module of the program: every operation's types, instantiated. */
const OPERATIONS_SOURCE = `import type * as T from './types';
export type __Operations = { [O in T.Operation]: { params: T.ParamsOf<O>; query: T.QueryOf<O>; body: T.BodyOf<O>; response: T.ResponseOf<O> } };
`;

const createPrinter = (prog, src) => {
  const checker = prog.getTypeChecker();
  const typesFile = path.join(src, 'types.ts');
  const moduleExports = (file) => checker.getExportsOfModule(checker.getSymbolAtLocation(prog.getSourceFile(file)));
  const resolved = (s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const exported = moduleExports(typesFile).map((s) => ({ name: s.name, symbol: resolved(s) }));
  /**
   * Generic aliases of types.ts that need nothing of the server's (`WithSiteFields<T, F>`): printed as
   * written, with the unexported aliases they use, and a type they make shown by its name.
   */
  const typesSource = prog.getSourceFile(typesFile);
  const aliasDeclarations = typesSource.statements.filter(ts.isTypeAliasDeclaration);
  const fromServer = (decl) => /\b(z|schemas)\.|RouteOf|WithCodes/.test(decl.getText());
  const verbatim = aliasDeclarations.filter(
    (decl) => decl.typeParameters && !GENERIC[decl.name.text] && !fromServer(decl) && exported.some(({ name }) => name === decl.name.text)
  );
  for (let i = 0; i < verbatim.length; i++) {
    for (const local of aliasDeclarations) {
      const mentioned = new RegExp(`\\b${local.name.text}\\b`).test(verbatim[i].type.getText());
      if (mentioned && !verbatim.includes(local) && !exported.some(({ name }) => name === local.name.text) && !fromServer(local)) verbatim.push(local);
    }
  }
  const isVerbatim = (name) => verbatim.some((decl) => decl.name.text === name);
  const named = exported
    .filter(({ name }) => !GENERIC[name] && !isVerbatim(name) && name !== 'Operation')
    .map(({ name, symbol }) => ({ name, type: checker.getDeclaredTypeOfSymbol(symbol), doc: ts.displayPartsToString(symbol.getDocumentationComment(checker)) }));

  /** Names a printed text refers to, by the module (relative to client/src) that exports them. */
  let imports = new Map();
  const use = (name, file) => {
    const rel = `./${path.relative(src, file).replace(/\\/g, '/').replace(/\.tsx?$/, '')}`;
    if (!imports.has(rel)) imports.set(rel, new Set());
    imports.get(rel).add(name);
  };

  const propNames = (t) => checker.getPropertiesOfType(t).map((p) => p.name).sort().join();
  const isObject = (t) => Boolean(t.flags & ts.TypeFlags.Object) && !checker.isArrayType(t) && checker.getSignaturesOfType(t, ts.SignatureKind.Call).length === 0;
  const same = (a, b) => a === b || (isObject(a) && isObject(b) && propNames(a) === propNames(b) && checker.isTypeAssignableTo(a, b) && checker.isTypeAssignableTo(b, a));
  const nameOf = (t, self) => {
    const found = named.find((n) => n.name !== self && (n.type === t || (isObject(n.type) && same(t, n.type))));
    if (found) use(found.name, typesFile);
    return found?.name;
  };

  /** Whether a value of this type may hold a `fields` member anywhere (what WithSiteFields types). */
  const hasFields = (t, seen = new Set()) => {
    if (seen.has(t)) return false;
    seen.add(t);
    if (t.flags & ts.TypeFlags.TypeParameter || t.flags & ts.TypeFlags.Conditional || t.flags & ts.TypeFlags.Index) return true;
    if (t.flags & ts.TypeFlags.UnionOrIntersection) return t.types.some((m) => hasFields(m, seen));
    if (!(t.flags & ts.TypeFlags.Object)) return false;
    return checker.getPropertiesOfType(t).some((p) => p.name === 'fields' || hasFields(checker.getTypeOfSymbol(p), seen)) ||
      checker.getIndexInfosOfType(t).some((info) => hasFields(info.type, seen));
  };
  const isLib = (decl) => decl.getSourceFile().hasNoDefaultLib || /node_modules[\\/](typescript|@types)[\\/]/.test(decl.getSourceFile().fileName);
  const inClient = (decl) => decl.getSourceFile().fileName.startsWith(src) && decl.getSourceFile().fileName !== typesFile;
  const args = (list, self, indent) => (list && list.length ? `<${list.map((a) => print(a, self, indent)).join(', ')}>` : '');
  /** A lib type (`Promise<…>`, `AbortSignal`) or one the client declares (`StreamOptions`), by its name. */
  const referenceName = (t, self, indent, file) => {
    if (t.aliasSymbol) {
      const decl = t.aliasSymbol.declarations?.[0];
      // An answer with no thread or message in it (`{ data: Tag[] }`, void) is the same for every F.
      if (t.aliasSymbol.name === 'WithSiteFields' && decl?.getSourceFile() === typesSource && !hasFields(t.aliasTypeArguments[0])) {
        return print(t.aliasTypeArguments[0], self, indent, file);
      }
      if (decl?.getSourceFile() === typesSource && (isVerbatim(t.aliasSymbol.name) || GENERIC[t.aliasSymbol.name])) {
        use(t.aliasSymbol.name, typesFile);
        return t.aliasSymbol.name + args(t.aliasTypeArguments, self, indent);
      }
      if (decl && (isLib(decl) || inClient(decl))) {
        if (inClient(decl) && decl.getSourceFile().fileName !== file) use(t.aliasSymbol.name, decl.getSourceFile().fileName);
        return t.aliasSymbol.name + args(t.aliasTypeArguments, self, indent);
      }
    }
    const symbol = t.symbol;
    if (t.flags & ts.TypeFlags.Object && symbol && symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) {
      const decl = symbol.declarations?.[0];
      if (decl && (isLib(decl) || inClient(decl))) {
        if (inClient(decl) && decl.getSourceFile().fileName !== file) use(symbol.name, decl.getSourceFile().fileName);
        return symbol.name + args(t.objectFlags & ts.ObjectFlags.Reference ? checker.getTypeArguments(t) : [], self, indent);
      }
    }
    return undefined;
  };

  const key = (k) => (IDENT.test(k) ? k : JSON.stringify(k));
  const doc = (symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\*\//g, '*\\/');
  const members = (t, self, indent, file) => {
    const pad = '  '.repeat(indent + 1);
    const lines = checker.getIndexInfosOfType(t).map((info) => `${pad}[key: ${checker.typeToString(info.keyType)}]: ${print(info.type, self, indent + 1, file)};`);
    for (const p of checker.getPropertiesOfType(t)) {
      const text = doc(p);
      if (text) lines.push(`${pad}/** ${text.replace(/\n/g, ' ')} */`);
      lines.push(`${pad}${key(p.name)}${p.flags & ts.SymbolFlags.Optional ? '?' : ''}: ${print(checker.getTypeOfSymbol(p), self, indent + 1, file)};`);
    }
    return `{\n${lines.join('\n')}\n${'  '.repeat(indent)}}`;
  };
  const signature = (t, self, indent, file) => {
    const [sig] = checker.getSignaturesOfType(t, ts.SignatureKind.Call);
    // A generic method (`call<O>`) prints as tsc would, with the names of its own file.
    if (sig.typeParameters?.length) return checker.typeToString(t, prog.getSourceFile(file), ts.TypeFormatFlags.NoTruncation);
    const params = sig.parameters.map((p) => {
      const decl = p.valueDeclaration;
      const optional = decl && (decl.questionToken || decl.initializer) ? '?' : '';
      const rest = decl && decl.dotDotDotToken ? '...' : '';
      return `${rest}${p.name}${optional}: ${print(checker.getTypeOfSymbol(p), self, indent, file)}`;
    });
    return `(${params.join(', ')}) => ${print(sig.getReturnType(), self, indent, file)}`;
  };
  const print = (t, self, indent = 0, file = typesFile) => {
    if (checker.isArrayType(t)) return `${paren(checker.getTypeArguments(t)[0], self, indent, file)}[]`;
    const name = nameOf(t, self) ?? referenceName(t, self, indent, file);
    if (name) return name;
    if (t.flags & ts.TypeFlags.Union) {
      let parts = t.types;
      // A named union within this one (`RequestCode | undefined`): by its name.
      const within = [];
      for (const n of named) {
        if (n.name === self || !(n.type.flags & ts.TypeFlags.Union) || n.type === t) continue;
        if (n.type.types.every((m) => parts.includes(m))) {
          use(n.name, typesFile);
          within.push(n.name);
          parts = parts.filter((m) => !n.type.types.includes(m));
        }
      }
      const bools = parts.filter((p) => p.flags & ts.TypeFlags.BooleanLiteral);
      const rest = parts.filter((p) => !(p.flags & ts.TypeFlags.BooleanLiteral)).map((p) => paren(p, self, indent, file));
      if (bools.length === 2) rest.push('boolean');
      else rest.push(...bools.map((b) => checker.typeToString(b)));
      return [...within, ...rest].join(' | ');
    }
    if (t.flags & ts.TypeFlags.Intersection) return t.types.map((p) => paren(p, self, indent, file)).join(' & ');
    if (checker.isTupleType(t)) return `[${checker.getTypeArguments(t).map((a) => print(a, self, indent, file)).join(', ')}]`;
    if (t.flags & ts.TypeFlags.Object && checker.getSignaturesOfType(t, ts.SignatureKind.Call).length === 1 && checker.getPropertiesOfType(t).length === 0) {
      return signature(t, self, indent, file);
    }
    if (isObject(t)) return members(t, self, indent, file);
    return checker.typeToString(t, undefined, ts.TypeFormatFlags.NoTruncation);
  };
  const paren = (t, self, indent, file) => {
    const text = print(t, self, indent, file);
    const compound = t.flags & (ts.TypeFlags.Union | ts.TypeFlags.Intersection) || /^\(.*=>/.test(text);
    return compound && !/^[\w.]+(<.*>)?$/.test(text) ? `(${text})` : text;
  };

  /** types.d.ts: every export of types.ts written out, and the operations' table. */
  const typesDeclaration = () => {
    imports = new Map();
    const flat = prog.getSourceFile(path.join(src, '__flat_operations__.ts'));
    const ops = checker.getDeclaredTypeOfSymbol(checker.getExportsOfModule(checker.getSymbolAtLocation(flat)).find((s) => s.name === '__Operations'));
    const out = ['/*', ' * The client\'s types, written out from the schemas the server validates with and answers with', ' * (generated by scripts/build-client.js from client/src/types.ts).', ' */', ''];
    for (const decl of verbatim) {
      const jsDoc = ts.getJSDocCommentsAndTags(decl).filter(ts.isJSDoc);
      for (const comment of jsDoc) out.push(comment.getText());
      out.push(decl.getText().replace(/^(\/\*\*[\s\S]*?\*\/\s*)+/, ''), '');
    }
    for (const { name, type, doc: text } of named) {
      if (text) out.push(`/** ${text.replace(/\n/g, '\n * ')} */`);
      const asInterface = isObject(type) && !checker.getIndexInfosOfType(type).length;
      out.push(asInterface ? `export interface ${name} ${members(type, name, 0)}` : `export type ${name} = ${print(type, name, 0)};`, '');
    }
    out.push('/** Every operation of the contract by name: its path parameters, query, body and answer. */');
    out.push(`export interface Operations ${members(ops, undefined, 0)}`, '');
    out.push('export type Operation = keyof Operations;');
    for (const { name } of exported) if (GENERIC[name]) out.push(GENERIC[name]);
    return out.join('\n') + '\n';
  };

  /**
   * client.d.ts with the client's methods written out: tsc's own declaration of
   * createPrivateMessagesClient is replaced by a PrivateMessagesClient interface, with the
   * function's type parameters (the site's fields, `F`) as its own.
   */
  const clientDeclaration = (emitted) => {
    imports = new Map();
    const file = path.join(src, 'client.ts');
    const fn = resolved(moduleExports(file).find((s) => s.name === 'createPrivateMessagesClient'));
    const [sig] = checker.getSignaturesOfType(checker.getTypeOfSymbol(fn), ts.SignatureKind.Call);
    const body = members(sig.getReturnType(), undefined, 0, file);
    // Its type parameters (`F extends SiteFields = SiteFields`, the site's fields) are the interface's.
    const typeParameters = (sig.typeParameters ?? []).map((p) => {
      const constraint = checker.getBaseConstraintOfType(p);
      const fallback = checker.getDefaultFromTypeParameter(p);
      return `${p.symbol.name}${constraint && constraint !== p && !(constraint.flags & ts.TypeFlags.Unknown) ? ` extends ${print(constraint, undefined, 0, file)}` : ''}${fallback ? ` = ${print(fallback, undefined, 0, file)}` : ''}`;
    });
    const declaredParameters = typeParameters.length ? `<${typeParameters.join(', ')}>` : '';
    const usedParameters = typeParameters.length ? `<${sig.typeParameters.map((p) => p.symbol.name).join(', ')}>` : '';
    const declared =
      /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\n)?export declare const createPrivateMessagesClient[\s\S]*?export type PrivateMessagesClient(?:<[^\n]*>)? = ReturnType<typeof createPrivateMessagesClient(?:<[^\n]*>)?>;/;
    if (!declared.test(emitted)) throw new Error('client.d.ts: no createPrivateMessagesClient declaration to write out');
    let text = emitted.replace(
      declared,
      (_, comment = '') =>
        '/** The client createPrivateMessagesClient makes: one method per route, resolving to its answer. */\n' +
        `export interface PrivateMessagesClient${declaredParameters} ${body}\n` +
        `${comment}export declare const createPrivateMessagesClient: ${declaredParameters}(options: ClientOptions) => PrivateMessagesClient${usedParameters};`
    );
    // Imports: what tsc's declaration imported, and every name the written-out methods use.
    const importLines = [];
    text = text.replace(/^import (type )?\{([^}]*)\} from '(\.\/[\w/]+)';\n/gm, (_, _type, names, from) => {
      for (const n of names.split(',').map((x) => x.replace(/\btype\b/, '').trim()).filter(Boolean)) use(n, path.join(src, `${from}.ts`));
      return '';
    });
    for (const [from, names] of imports) importLines.push(`import type { ${[...names].sort().join(', ')} } from '${from}';`);
    return importLines.join('\n') + '\n' + text;
  };

  return { typesDeclaration, clientDeclaration };
};

module.exports = { createPrinter, OPERATIONS_SOURCE };
