// No import circle in src/: a stage that needs another's types imports them from a module below
// both, so any module can be read, tested and replaced without loading the whole pipeline.
// Type-only imports count too: a circle through a type still ties the two modules' shapes together.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './support/toolchains.js';

const SRC = path.join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** The src/ modules `file` imports or re-exports (static and dynamic), as paths relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS));
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => path.relative(SRC, path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts'))));
}

/** Every strongly connected group of more than one module (or a module importing itself), each as a path round it. */
function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm: each component of the graph that holds a circle.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v))
      circles.push(circleThrough(graph, component));
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return circles;
}

/** One concrete circle inside a strongly connected `component`: a → b → … → a. */
function circleThrough(
  graph: ReadonlyMap<string, readonly string[]>,
  component: readonly string[],
): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0] as string;
  // Breadth first from start back to start, inside the component: the shortest circle through it.
  const from = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift() as string;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        for (let u = v; u !== start; u = from.get(u) as string) path.unshift(from.get(u) as string);
        return [...path, start];
      }
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** Every module that both reaches and is reached from the circle's first module: the whole tangle. */
function tangleOf(graph: ReadonlyMap<string, readonly string[]>, circle: readonly string[]): string[] {
  const reach = (from: string, next: (v: string) => readonly string[]): Set<string> => {
    const seen = new Set([from]);
    const queue = [from];
    for (let v = queue.shift(); v !== undefined; v = queue.shift()) {
      for (const w of next(v)) {
        if (!graph.has(w) || seen.has(w)) continue;
        seen.add(w);
        queue.push(w);
      }
    }
    return seen;
  };
  const start = circle[0] as string;
  const forward = reach(start, (v) => graph.get(v) ?? []);
  const backward = reach(start, (v) => [...graph.keys()].filter((u) => graph.get(u)?.includes(v)));
  return [...forward].filter((v) => backward.has(v)).sort();
}

describe('import graph of src/', () => {
  it('finds a circle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts', 'f.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
      ['f.ts', ['b.ts']],
    ]);
    expect(importCircles(graph)).toEqual([
      ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
      ['e.ts', 'e.ts'],
    ]);
    expect(tangleOf(graph, ['a.ts', 'b.ts', 'c.ts', 'a.ts'])).toEqual(['a.ts', 'b.ts', 'c.ts', 'f.ts']);
    expect(importCircles(new Map([['a.ts', ['b.ts']]]))).toEqual([]);
  });

  it('has no import circle', () => {
    const files = sourceFiles(SRC);
    const graph = new Map(files.map((file) => [path.relative(SRC, file), importsOf(file)]));
    // The graph must be the real one: the engine reaches every stage through imports.
    expect(graph.get('engine.ts')?.length).toBeGreaterThan(5);
    // Each tangle as one circle through it, with every other module caught in the same tangle.
    const tangles = importCircles(graph).map((circle) => {
      const others = tangleOf(graph, circle).filter((m) => !circle.includes(m));
      return circle.join(' → ') + (others.length > 0 ? ` (also in it: ${others.join(', ')})` : '');
    });
    expect(tangles).toEqual([]);
  });
});
