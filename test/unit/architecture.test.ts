import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * No import cycles in src/ or commands/, counting every edge that ties two files: `import`, `import type`,
 * `export … from`, `import('…')` (also as a type), `require('…')`. ESLint's import-x/no-cycle runs in
 * `npm run lint` too, but it skips type-only imports, so a cycle made of `import type` lines (or of one
 * `import type` and one `require()`, the factories' shape) is only seen here.
 */
const ROOT = resolve(__dirname, '..', '..', '..');

interface Edge {
  to: string;
  /** Only types cross it (erased by tsc). */
  typeOnly: boolean;
  /** A `require()` call rather than an import or export. */
  required: boolean;
}

/** The module specifiers one file names, read from its syntax tree (comments and strings are not edges). */
function specifiersOf(fileName: string, text: string): Array<Omit<Edge, 'to'> & { specifier: string }> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: Array<Omit<Edge, 'to'> & { specifier: string }> = [];
  const add = (node: ts.Node | undefined, typeOnly: boolean, required = false): void => {
    if (node && ts.isStringLiteralLike(node)) found.push({ specifier: node.text, typeOnly, required });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const everyNameIsType =
        clause !== undefined &&
        clause.name === undefined &&
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, clause?.isTypeOnly === true || everyNameIsType);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause;
      const everyNameIsType =
        named !== undefined &&
        ts.isNamedExports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, node.isTypeOnly || everyNameIsType);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly, true);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    } else if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], false);
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require')
        add(node.arguments[0], false, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The project-internal edges of each file (`files`: absolute path → source text). A relative specifier that
 * names no .ts file of the set is an error unless it names a .json file, so an edge is never lost silently.
 */
function importGraph(files: Map<string, string>): Map<string, Edge[]> {
  const graph = new Map<string, Edge[]>();
  for (const [file, text] of files) {
    const edges: Edge[] = [];
    for (const { specifier, typeOnly, required } of specifiersOf(file, text)) {
      if (!specifier.startsWith('.')) continue;
      const base = resolve(dirname(file), specifier).replace(/\.js$/, '');
      const to = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => files.has(candidate));
      if (to !== undefined) edges.push({ to, typeOnly, required });
      else if (!specifier.endsWith('.json')) throw new Error(`${file}: '${specifier}' names no .ts file`);
    }
    graph.set(file, edges);
  }
  return graph;
}

/** Strongly connected components that hold a cycle (two or more files, or a file importing itself); Tarjan. */
function cycles(graph: Map<string, Edge[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(v, Math.min(low.get(v)!, index.get(to)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).some((e) => e.to === v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The graph of the working tree's sources. */
function projectGraph(): Map<string, Edge[]> {
  const files = new Map<string, string>();
  for (const file of [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'commands'))]) {
    files.set(file, readFileSync(file, 'utf8'));
  }
  return importGraph(files);
}

const synthetic = (sources: Record<string, string>): Map<string, Edge[]> =>
  importGraph(new Map(Object.entries(sources).map(([name, text]) => [resolve('/virtual', name), text])));

describe('architecture: the import graph of src/ and commands/', () => {
  it('the counter sees cycles made of type-only imports, require() and import() types', () => {
    const typeOnly = synthetic({
      'lag/model.ts':
        "import type { Thresholds } from './thresholds';\nexport type Model = { t?: Thresholds };",
      'lag/thresholds.ts': "import { type Model } from './model.js';\nexport type Thresholds = Model[];",
    });
    assert.equal(cycles(typeOnly).length, 1);
    assert.ok([...typeOnly.values()].flat().every((e) => e.typeOnly));

    const factory = synthetic({
      'brokers/lag.ts':
        "import type * as Kafka from './kafka/lag';\nconst load = (): typeof Kafka => require('./kafka/lag');",
      'brokers/kafka/lag.ts': "export { lagSourceFor } from '../lag';",
    });
    assert.deepEqual(cycles(factory), [
      [resolve('/virtual/brokers/kafka/lag.ts'), resolve('/virtual/brokers/lag.ts')],
    ]);

    const importType = synthetic({
      'a.ts': "export type H = import('./b').B;",
      'b/index.ts': "import { a } from '../a';\nexport type B = typeof a;",
    });
    assert.equal(cycles(importType).length, 1);

    const acyclic = synthetic({
      'a.ts': "// import { c } from './c';\nimport { b } from './b';\nconst s = \"require('./c')\";",
      'b.ts': "import { c } from './c';",
      'c.ts': "const version = require('../package.json');",
    });
    assert.deepEqual(cycles(acyclic), []);
    assert.throws(() => synthetic({ 'a.ts': "import { x } from './missing';" }), /names no \.ts file/);
  });

  it('has no cycle, counting type-only imports and require() as edges', () => {
    const graph = projectGraph();
    const edges = [...graph.values()].flat();
    // The graph really holds the edges no-cycle skips (else this test would prove nothing more than lint).
    assert.ok(graph.size > 200, `${graph.size} files read`);
    assert.ok(edges.filter((e) => e.typeOnly).length > 100, 'type-only edges read');
    assert.ok(edges.filter((e) => e.required).length > 10, 'require() edges read');
    const found = cycles(graph).map((c) => c.map((f) => relative(ROOT, f)).join(' → '));
    assert.deepEqual(found, [], `import cycles:\n${found.join('\n')}`);
  });
});
