// The notebooks' text quotes no result of their run: the run prints its results, and they change
// with the settings (ENCDEC_QUICK=1 in CI, the full data for a learner) and with the library. So
// every number in a markdown cell must be one of:
//   - a setting the notebook's code states (`SRC_LEN = 12`, `0.1` also as "10%");
//   - a citation year, a notebook or section number, or a run time in the "Run time" paragraph;
//   - a fact listed below with the reason it is not a result of the run.
// Reads the committed notebooks; executes nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const names = readdirSync(join(root, 'notebooks'))
  .filter((f) => f.endsWith('.ipynb'))
  .sort();

/** Numbers the text may state, per notebook (by its two-digit prefix), and why. */
const FACTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '01': { '9996': 'arithmetic on numWords: ids below 10,000 are ranks up to 10,000 - 4' },
  '02': {
    '0.7': "the LSTM's initial forget gate: its bias starts at 1",
    '0.5': "the GRU's initial update gate: sigmoid(0) with its bias at 0",
  },
  '04': {
    '7': 'an example of the task, `7 4 8` -> `8 4 7`',
    '13': 'the largest symbol id, VOCAB_SIZE - 1',
    '1.3': "DecodePool's speed-up measured by the README's benchmark, not by this run",
    '1.5': "DecodePool's speed-up measured by the README's benchmark, not by this run",
  },
  '05': {
    '1.6': 'a benchmark of bench/PERFORMANCE.md, cited as such',
    '986640':
      "the Keras example's parameter count, fixed by its layers (test/core/model/seq2seq.test.ts)",
    '330000': "the output layer's parameters, 32 x 10,000 + 10,000",
    '256': 'the name of the hash, SHA-256',
    '0.001': "Keras' default RMSprop step size, the Keras example's setting (section 6's table)",
    '0.2': "the Keras example's validation_split (section 6's table)",
    '0.9':
      'the floor of greedy token accuracy the default run meets (test/notebooks/walkthrough-measured.json)',
    '0.4':
      'the floor of exact match the default run meets (test/notebooks/walkthrough-measured.json)',
    '0.7':
      "the attention model's greedy token accuracy with the walkthrough's earlier settings, its render before (walkthrough-measured.json, before)",
    '0.05':
      "the attention model's exact match with the walkthrough's earlier settings, its render before (walkthrough-measured.json, before)",
  },
  '06': {
    '50000': 'the size of the IMDB dataset',
    '84': "Keras' LSTM examples' reported test accuracy (84-85%), not this run's",
    '85': "the goal (at least 85%) and Keras' reported 84-85%, not this run's",
    '10': 'the IMDB star ratings of a positive review (7-10)',
    '113': "numpy's shuffle seed in Keras' imdb.load_data",
    '5': 'a speed ratio measured outside the run (500 vs 100 tokens)',
    '400': 'a setting measured outside the run (maxlen = 400)',
    '1.5': "TF.js's masked LSTM's slowdown, measured outside the run",
    '0.7': 'dropout keeps 1 - DROPOUT of the features and scales them by 1/0.7',
    '0.001': "createSequenceClassifier's default learning rate (Keras' for Adam)",
  },
};

interface Cell {
  cell_type: string;
  source: string | string[];
}
const text = (source: string | string[]) => (Array.isArray(source) ? source.join('') : source);

/** Every number written in `code`, without digit separators: `10_000` is 10000. */
function codeNumbers(code: string): Set<string> {
  return new Set([...code.matchAll(/\d[\d_]*(?:\.\d+)?/g)].map((m) => normal(m[0])));
}

/** A number as the text or the code writes it, compared without separators or trailing zeros. */
function normal(written: string): string {
  const plain = written.replace(/[_,]/g, '');
  return plain.includes('.') ? plain.replace(/\.?0+$/, '') || '0' : plain;
}

/** The numbers of `markdown` that no rule above accounts for, with some context. */
function unaccounted(markdown: string, code: Set<string>, facts: Set<string>) {
  const found: { number: string; context: string }[] = [];
  const paragraphs = markdown.replace(/\$\$[^$]*\$\$|\$[^$]*\$/g, ' ').split(/\n\s*\n/);
  for (const paragraph of paragraphs) {
    const runTime = paragraph.startsWith('**Run time');
    for (const m of paragraph.matchAll(/(?<![\w.])\d[\d,]*(?:\.\d+)?(%?)/g)) {
      const written = m[0].replace(/[,%]$/, '');
      const at = m.index!; // matchAll's matches always carry their index
      const before = paragraph.slice(Math.max(0, at - 24), at);
      const after = paragraph.slice(at + m[0].length, at + m[0].length + 16);
      const number = normal(written.replace(/%$/, ''));
      const year = /^(19|20)\d\d$/.test(number) && /(al\.|[A-Z][\w-]*|&) \(?$/.test(before);
      const reference = /(notebook|section|#+) $/i.test(before) || /^#/.test(before.trim());
      const time = runTime && /^(-\d+)? (s|min|minutes?)\b/.test(after);
      const percentOfCode = m[1] === '%' && code.has(normal(String(Number(number) / 100)));
      if (year || reference || time || code.has(number) || percentOfCode || facts.has(number)) {
        continue;
      }
      found.push({ number, context: `...${before}${m[0]}${after}...`.replace(/\s+/g, ' ') });
    }
  }
  return found;
}

describe('notebook text', () => {
  it('there are notebooks to check', () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  for (const name of names) {
    it(`${name} states no number that its run computes`, () => {
      const cells: Cell[] = JSON.parse(readFileSync(join(root, 'notebooks', name), 'utf8')).cells;
      const code = codeNumbers(
        cells
          .filter((c) => c.cell_type === 'code')
          .map((c) => text(c.source))
          .join('\n'),
      );
      const facts = FACTS[name.slice(0, 2)] ?? {};
      const markdown = cells
        .filter((c) => c.cell_type === 'markdown')
        .map((c) => text(c.source))
        .join('\n\n');
      expect(unaccounted(markdown, code, new Set(Object.keys(facts)))).toEqual([]);
      // Every listed fact is still in the text: the list stays the text's.
      const used = new Set(unaccounted(markdown, code, new Set()).map((n) => n.number));
      expect(Object.keys(facts).filter((f) => !used.has(f))).toEqual([]);
    });
  }

  it('catches a quoted result and accepts settings, years and references', () => {
    const code = codeNumbers(
      'const SRC_LEN = 12;\nconst TRAIN_PAIRS = QUICK ? 3_000 : 20_000; // 0.2',
    );
    const none = new Set<string>();
    const md = [
      'Luong et al. 2015 and Dai & Le (2015); windows of 12 words, 20,000 pairs, 20% held out.',
      'Section 9 and notebook 06 say more.',
      '**Run time:** about 2 minutes (109 s measured).',
      '| loss | 6.01 |\n\nthe held-out perplexity, 409, of 12 words.',
    ].join('\n\n');
    expect(unaccounted(md, code, none).map((n) => n.number)).toEqual(['6.01', '409']);
    expect(unaccounted(md, code, new Set(['6.01', '409']))).toEqual([]);
  });
});
