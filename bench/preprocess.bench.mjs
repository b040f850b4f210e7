// Keras-style preprocessing throughput, each against a reference run in the same process.
//
// 1. Padding 25,000 sequences of ~230 ids on average (IMDB-like: uniform lengths 10..450) to
//    maxlen 500: `padSequencesFlat` (typed buffer) and `padSequences` (arrays), against
//      - a naive reference: the obvious slice + fill + concat per row, then one flat copy;
//      - a floor: copying the already-truncated rows into one Int32Array with `set` (no checks).
// 2. Tokenizer on synthetic reviews (Zipf-distributed words with punctuation): `fitOnTexts` and
//    `textsToSequences`, against a reference that only lower-cases, splits on a regex of the
//    same filters and counts words in a Map.
import { KERAS_FILTERS, padSequences, padSequencesFlat, Tokenizer } from '@encdec/core';
import { mulberry32 } from './timing.mjs';

/** Median milliseconds of `fn` over `runs`, after `warmup` calls (V8 needs 3-5 to warm up). */
function time(fn, runs = 7, warmup = 3) {
  for (let i = 0; i < warmup; i++) fn();
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    ms.push(performance.now() - start);
  }
  return ms.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

function table(title, rows, referenceName) {
  const reference = rows.find(([name]) => name === referenceName)[1];
  console.log(`\n${title}`);
  console.log('| what | ms (median) | per second | vs reference |');
  console.log('|---|---|---|---|');
  for (const [name, ms, count, unit] of rows) {
    const rate = Math.round((count / ms) * 1000).toLocaleString('en-US');
    console.log(
      `| ${name} | ${ms.toFixed(1)} | ${rate} ${unit} | ${(reference / ms).toFixed(2)}x |`,
    );
  }
}

// 1. padSequences.
const rand = mulberry32(1);
const numSamples = 25_000;
const maxlen = 500;
const sequences = Array.from({ length: numSamples }, () =>
  Array.from({ length: 10 + Math.floor(rand() * 441) }, () => 1 + Math.floor(rand() * 9999)),
);
const meanLength = sequences.reduce((sum, s) => sum + s.length, 0) / numSamples;

function naivePad(seqs) {
  const rows = seqs.map((s) => {
    const kept = s.slice(-maxlen);
    return new Array(maxlen - kept.length).fill(0).concat(kept);
  });
  const flat = new Int32Array(seqs.length * maxlen);
  rows.forEach((row, i) => {
    flat.set(row, i * maxlen);
  });
  return flat;
}
const truncated = sequences.map((s) => Int32Array.from(s.slice(-maxlen)));
function floorCopy() {
  const flat = new Int32Array(numSamples * maxlen);
  truncated.forEach((row, i) => {
    flat.set(row, (i + 1) * maxlen - row.length);
  });
  return flat;
}

// The three must agree before their times mean anything.
const ours = padSequencesFlat(sequences, { maxlen });
const naive = naivePad(sequences);
if (ours.values.some((v, i) => v !== naive[i])) throw new Error('padSequencesFlat != reference');

table(
  `padSequences: ${numSamples.toLocaleString('en-US')} sequences, mean length ${meanLength.toFixed(0)}, to maxlen ${maxlen}`,
  [
    ['reference: naive slice + fill + concat', time(() => naivePad(sequences)), numSamples, 'rows'],
    ['floor: Int32Array.set of pre-cut rows', time(floorCopy), numSamples, 'rows'],
    [
      'padSequencesFlat (int32)',
      time(() => padSequencesFlat(sequences, { maxlen })),
      numSamples,
      'rows',
    ],
    [
      'padSequencesFlat (float32, post/post)',
      time(() =>
        padSequencesFlat(sequences, {
          maxlen,
          dtype: 'float32',
          padding: 'post',
          truncating: 'post',
        }),
      ),
      numSamples,
      'rows',
    ],
    [
      'padSequences (number[][])',
      time(() => padSequences(sequences, { maxlen })),
      numSamples,
      'rows',
    ],
  ],
  'reference: naive slice + fill + concat',
);

// 2. Tokenizer.
const vocabularySize = 20_000;
const words = Array.from({ length: vocabularySize }, (_, i) =>
  i % 7 === 0 ? `Word${i}` : `w${i}`,
);
// Zipf: P(rank r) ~ 1/r, sampled by inverting the cumulative weights.
const cumulative = [];
let total = 0;
for (let r = 1; r <= vocabularySize; r++) {
  total += 1 / r;
  cumulative.push(total);
}
function zipfWord() {
  const target = rand() * total;
  let lo = 0;
  let hi = vocabularySize - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return words[lo];
}
const punctuation = ['', '', '', '', ',', '.', '!', ' --', ';', '<br />'];
const numTexts = 10_000;
const texts = Array.from({ length: numTexts }, () =>
  Array.from(
    { length: 10 + Math.floor(rand() * 441) },
    () => zipfWord() + punctuation[Math.floor(rand() * 10)],
  ).join(' '),
);
const totalWords = texts.reduce((sum, t) => sum + t.split(' ').length, 0);

const filterClass = new RegExp(
  `[${[...KERAS_FILTERS, ' '].map((c) => `\\u{${c.codePointAt(0).toString(16)}}`).join('')}]+`,
  'u',
);
function referenceCount() {
  const counts = new Map();
  for (const text of texts) {
    for (const word of text.toLowerCase().split(filterClass)) {
      if (word) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}
const fitted = new Tokenizer({ numWords: 10_000, oovToken: '<unk>' }).fitOnTexts(texts);
if (fitted.wordCounts.size !== referenceCount().size) throw new Error('Tokenizer != reference');

table(
  `Tokenizer: ${numTexts.toLocaleString('en-US')} synthetic texts, ${totalWords.toLocaleString('en-US')} words (Zipf over ${vocabularySize.toLocaleString('en-US')})`,
  [
    ['reference: lower + regex split + Map count', time(referenceCount, 5, 2), numTexts, 'texts'],
    [
      'fitOnTexts',
      time(() => new Tokenizer({ numWords: 10_000, oovToken: '<unk>' }).fitOnTexts(texts), 5, 2),
      numTexts,
      'texts',
    ],
    ['textsToSequences', time(() => fitted.textsToSequences(texts), 5, 2), numTexts, 'texts'],
  ],
  'reference: lower + regex split + Map count',
);
console.log(
  `\nwords per second: fitOnTexts ${Math.round(totalWords / (time(() => new Tokenizer().fitOnTexts(texts), 3, 1) / 1000)).toLocaleString('en-US')}`,
);
