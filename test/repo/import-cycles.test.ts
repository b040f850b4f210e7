/**
 * No import cycles in the packages' sources: each file imports only files below it, so a reader
 * can take them in dependency order and a module never runs half-initialised. The graph is read
 * with the TypeScript compiler's own import scanner (`ts.preProcessFile`): static imports,
 * `import type`, re-exports and dynamic `import()` all count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** file -> the files of its package it imports (relative specifiers, `.js` naming the `.ts`). */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      const targets = importedFiles
        .map((i) => i.fileName)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => join(dirname(file), spec.replace(/\.js$/, '.ts')))
        .filter((target) => known.has(target));
      return [file, targets];
    }),
  );
}

/** One cycle of `graph` as the files along it (first = last), or null when it has none. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (file: string): string[] | null => {
    if (onPath.has(file)) return [...path.slice(path.indexOf(file)), file];
    if (done.has(file)) return null;
    path.push(file);
    onPath.add(file);
    for (const target of graph.get(file) ?? []) {
      const cycle = visit(target);
      if (cycle !== null) return cycle;
    }
    path.pop();
    onPath.delete(file);
    done.add(file);
    return null;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle !== null) return cycle;
  }
  return null;
}

describe('import cycles', () => {
  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['b.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(findCycle(graph)).toEqual(['b.ts', 'c.ts', 'b.ts']);
    expect(
      findCycle(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toBeNull();
  });

  it.each(['core', 'viz'])('packages/%s/src has none', (pkg) => {
    const files = sources(join(root, 'packages', pkg, 'src'));
    expect(files.length).toBeGreaterThan(pkg === 'core' ? 100 : 5);
    const graph = importGraph(files);
    // The scanner sees the imports: most files import another one of their package.
    const importing = [...graph.values()].filter((targets) => targets.length > 0).length;
    expect(importing).toBeGreaterThan(files.length / 2);
    const cycle = findCycle(graph);
    expect(cycle?.map((file) => relative(root, file)).join(' -> ') ?? null).toBeNull();
  });
});
