// Every notebook, executed headless with the project's tslab kernel on small slices
// (ENCDEC_QUICK=1), as a learner would run it: notebooks are integration tests. A failing cell's
// position, error name, message, trace and source are in the assertion message. Needs Jupyter
// and the IMDB data: see the README's prerequisites (`npm run setup`).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imdbDataDir } from '../../scripts/prerequisites.mjs';
import { failureMessage, type Notebook, root, runNotebooks, TIMEOUT_MS } from './run-notebooks.js';

const notebooks = readdirSync(join(root, 'notebooks'))
  .filter((f) => f.endsWith('.ipynb'))
  .sort();
const outDir = mkdtempSync(join(tmpdir(), 'encdec-notebooks-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const joined = (text: string | string[] | undefined) =>
  Array.isArray(text) ? text.join('') : (text ?? '');

/** Executes one notebook (QUICK) and returns the executed notebook. */
function execute(name: string): Notebook {
  const run = runNotebooks(outDir, [join(root, 'notebooks', name)], {
    ENCDEC_QUICK: '1',
    ENCDEC_DATA_DIR: imdbDataDir() as string,
  });
  expect(run.status, failureMessage(name, run)).toBe(0);
  return run.executed(name);
}

/** All text the notebook printed, and the number of SVG images it displayed. */
function outputsOf(notebook: Notebook) {
  let text = '';
  let svgs = 0;
  for (const cell of notebook.cells) {
    for (const output of cell.outputs ?? []) {
      text += joined(output.text);
      if (output.data?.['text/plain']) text += joined(output.data['text/plain']);
      if (output.data?.['image/svg+xml']) svgs += 1;
    }
  }
  return { text, svgs };
}

describe('notebooks (ENCDEC_QUICK=1)', () => {
  it('there are notebooks to run', () => {
    expect(notebooks.length).toBeGreaterThanOrEqual(1);
  });

  for (const name of notebooks) {
    it(
      `${name} runs without a cell error`,
      () => {
        const notebook = execute(name);
        const code = notebook.cells.filter((c) => c.cell_type === 'code');
        expect(code.length).toBeGreaterThan(0);
        for (const cell of code) {
          const errors = (cell.outputs ?? []).filter((o) => o.output_type === 'error');
          expect(errors).toEqual([]);
        }
        if (name.startsWith('04-')) checkSearch(notebook);
        if (name.startsWith('05-')) checkWalkthrough(notebook);
        if (name.startsWith('07-')) checkTransformer(notebook);
      },
      TIMEOUT_MS,
    );
  }
});

/** The search notebook's DecodePool finds the same greedy tokens as one thread, in every row. */
function checkSearch(notebook: Notebook) {
  const { text } = outputsOf(notebook);
  expect(text).toMatch(/\d+ threads: the same greedy tokens as one thread in (\d+) of \1 rows/);
}

/** The walkthrough shows its charts and prints its key numbers. */
function checkWalkthrough(notebook: Notebook) {
  const { text, svgs } = outputsOf(notebook);
  expect(svgs).toBeGreaterThanOrEqual(5);
  expect(text).toMatch(/encdec: TF\.js backend "(wasm|cpu|tensorflow)"/);
  for (const label of WALKTHROUGH_NUMBERS) {
    expect(text, `the walkthrough prints "${label}: <number>"`).toMatch(
      new RegExp(`${label.replace(/[()]/g, '\\$&')}: -?[0-9.]+`),
    );
  }
}

/** The Transformer notebook shows its charts, checks its steps and prints its comparison. */
function checkTransformer(notebook: Notebook) {
  const { text, svgs } = outputsOf(notebook);
  // positional encodings, 4 training-curve charts, 2 per-head heatmap grids
  expect(svgs).toBeGreaterThanOrEqual(7);
  const diff = /max abs difference from the steps above: ([0-9.e-]+)/.exec(text);
  expect(diff, 'multiHeadAttention against its five steps').not.toBeNull();
  expect(Number(diff![1])).toBeLessThan(1e-5);
  for (const srcLen of [12, 30]) {
    for (const model of ['LSTM + attention', 'Transformer']) {
      expect(text).toMatch(
        new RegExp(`${model.replace('+', '\\+')}, srcLen ${srcLen}: training time \\d+ s`),
      );
    }
  }
  expect(text).toMatch(/after step 3: .* selfK\/selfV \[2, 4, 3, 16\]/);
  expect(text).toMatch(/greedy ([0-9.]+), beam \(width \d+\) ([0-9.]+), difference -?[0-9.]+/);
  expect(text).toMatch(/tensors left: \d+/);
}

const WALKTHROUGH_NUMBERS = [
  'parameters (Keras example)',
  'parameters (attention)',
  'training time (Keras example)',
  'training time (attention)',
  'held-out loss (Keras example)',
  'held-out token accuracy (Keras example)',
  'held-out perplexity (Keras example)',
  'greedy BLEU-4 (Keras example)',
  'greedy exact match (Keras example)',
  'held-out loss (attention)',
  'held-out token accuracy (attention)',
  'held-out perplexity (attention)',
  'greedy BLEU-4 (attention)',
  'greedy exact match (attention)',
  'held-out BLEU-4 (attention, greedy)',
  'held-out BLEU-4 (attention, beam width 5)',
  'BLEU-4 difference (beam - greedy)',
  'windows where beam search changes the output',
  'token accuracy by length (Keras example (no attention))',
  'token accuracy by length (attention)',
  'reloaded model max abs difference in logits',
  'tensors left',
  'notebook run time',
];
