// docs/notebooks/: the notebooks executed in full, with their outputs, for readers (GitHub and
// nbviewer show them); `npm run docs` writes them. A rendering must be of the current notebooks:
// the same cells, no errors, a full run, and one for every notebook once there are any.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  failureMessage,
  fixture,
  type Notebook,
  root,
  runNotebooks,
  TIMEOUT_MS,
} from './run-notebooks.js';

interface Rendered extends Notebook {
  cells: (Notebook['cells'][number] & { metadata?: Record<string, unknown> })[];
  metadata: { encdec?: { quick: boolean } };
}

const read = (path: string): Rendered => JSON.parse(readFileSync(path, 'utf8'));
const source = (s: string | string[]) => (Array.isArray(s) ? s.join('') : s);
const cellsOf = (nb: Notebook) => nb.cells.map((c) => [c.cell_type, source(c.source)]);

const docsDir = join(root, 'docs', 'notebooks');
const rendered = existsSync(docsDir)
  ? readdirSync(docsDir).filter((f) => f.endsWith('.ipynb'))
  : [];
const notebooks = readdirSync(join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb'));

describe('docs/notebooks/', () => {
  it('renders every notebook once it renders any', () => {
    if (rendered.length > 0) expect(rendered.sort()).toEqual(notebooks.sort());
  });

  for (const name of rendered) {
    it(`${name}: the current notebook's cells, run in full, without errors`, () => {
      const nb = read(join(docsDir, name));
      expect(cellsOf(nb)).toEqual(cellsOf(read(join(root, 'notebooks', name))));
      expect(nb.metadata.encdec).toEqual({ quick: false });
      const errors = nb.cells
        .flatMap((c) => c.outputs ?? [])
        .filter((o) => o.output_type === 'error');
      expect(errors).toEqual([]);
    });
  }
});

describe('npm run docs', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'encdec-docs-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it(
    'writes the executed notebook only, without per-cell timestamps, marked quick or not',
    () => {
      const run = runNotebooks(outDir, [fixture('charts.ipynb'), '--quick'], {}, 'docs');
      expect(run.status, failureMessage('charts.ipynb', run)).toBe(0);
      expect(readdirSync(outDir)).toEqual(['charts.ipynb']);
      const nb = read(join(outDir, 'charts.ipynb')) as Rendered;
      expect(nb.metadata.encdec).toEqual({ quick: true });
      expect(nb.cells.some((c) => c.metadata?.execution !== undefined)).toBe(false);
      expect(
        nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.['image/svg+xml']),
      ).toHaveLength(2);
    },
    TIMEOUT_MS,
  );
});
