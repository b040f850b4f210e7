// IMDB loading throughput (all 50,000 labelled reviews of the offline copy), against references
// run in the same process:
//   - floor: gunzip of the whole tarball in one zlib call (no tar parsing, no text decoding);
//   - reference tokenizer: the obvious `toLowerCase().split(/[^a-z0-9']+/)` + Map lookups over the
//     same texts, a yardstick for `tokenizeImdb` + ranking.
// Then what users call: loadImdbText, loadImdb cold (cache off: read + tokenize + index) and warm
// (indexed corpus from the cache), and the out-of-vocabulary rate of the tokenization.
//
//   ENCDEC_DATA_DIR=/path/to/imdb npm run bench -- imdb
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { getImdbWordIndex, loadImdb, loadImdbText, tokenizeImdb } from '@encdec/core';
import { medianMs } from './timing.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const dataDir = process.env.ENCDEC_DATA_DIR ?? resolve(here, '..', '..', 'shared', 'data', 'imdb');
const cacheDir = mkdtempSync(join(tmpdir(), 'encdec-imdb-bench-'));
const reviews = 50_000;

const rows = [];
const row = (name, ms, reference) => rows.push([name, ms, reference]);

// References.
const tarball = readFileSync(join(dataDir, 'aclImdb_v1.tar.gz'));
row(
  'floor: gunzipSync of the tarball (no tar, no text)',
  await medianMs(() => gunzipSync(tarball), { runs: 3, warmup: 1 }),
);
const texts = [
  ...(await loadImdbText({ path: dataDir, split: 'train' })),
  ...(await loadImdbText({ path: dataDir, split: 'test' })),
].map((r) => r.text);
const wordIndex = await getImdbWordIndex({ path: dataDir });
const rankAll = (tokenize) => {
  let n = 0;
  for (const text of texts) for (const word of tokenize(text)) n += wordIndex.get(word) ?? 0;
  return n;
};
const naiveMs = await medianMs(async () => rankAll((t) => t.toLowerCase().split(/[^a-z0-9']+/)), {
  runs: 3,
  warmup: 1,
});
row("reference tokenizer: toLowerCase + split(/[^a-z0-9']+/) + Map", naiveMs);
row(
  'tokenizeImdb + Map (same texts)',
  await medianMs(async () => rankAll(tokenizeImdb), { runs: 3, warmup: 1 }),
  naiveMs,
);

// What users call.
const textMs = await medianMs(
  async () => {
    await loadImdbText({ path: dataDir, split: 'train' });
    await loadImdbText({ path: dataDir, split: 'test' });
  },
  { runs: 3, warmup: 1 },
);
row('loadImdbText, train + test (2 tarball reads)', textMs);
const coldMs = await medianMs(() => loadImdb({ path: dataDir, cacheDir, cache: false }), {
  runs: 3,
  warmup: 1,
});
row('loadImdb cold (cache off: read + tokenize + index)', coldMs);
await loadImdb({ path: dataDir, cacheDir }); // writes the cache
row(
  'loadImdb warm (indexed corpus from the cache)',
  await medianMs(() => loadImdb({ path: dataDir, cacheDir }), { runs: 5, warmup: 1 }),
  coldMs,
);

console.log(`IMDB offline copy: ${dataDir}`);
console.log('| what | ms (median) | reviews per second | vs reference |');
console.log('|---|---|---|---|');
for (const [name, ms, reference] of rows) {
  const rate = Math.round((reviews / ms) * 1000).toLocaleString('en-US');
  console.log(
    `| ${name} | ${ms.toFixed(0)} | ${rate} | ${reference ? `${(reference / ms).toFixed(2)}x` : ''} |`,
  );
}

// Out-of-vocabulary rate: words of the texts that the Keras word index lacks.
const count = (split) => split.x.reduce((sum, x) => sum + x.length - 1, 0); // minus the start char
const skip = await loadImdb({ path: dataDir, cacheDir });
const oov = await loadImdb({ path: dataDir, cacheDir, unknownWords: 'oov' });
const words = { train: count(oov.train), test: count(oov.test) };
const unknown = { train: words.train - count(skip.train), test: words.test - count(skip.test) };
const pct = (a, b) => `${((100 * a) / b).toFixed(2)}%`;
console.log('\n| split | words | not in the word index | OOV rate |');
console.log('|---|---|---|---|');
for (const split of ['train', 'test']) {
  console.log(
    `| ${split} | ${words[split].toLocaleString('en-US')} | ${unknown[split].toLocaleString('en-US')} | ${pct(unknown[split], words[split])} |`,
  );
}
const all = words.train + words.test;
const allUnknown = unknown.train + unknown.test;
console.log(
  `| both | ${all.toLocaleString('en-US')} | ${allUnknown.toLocaleString('en-US')} | ${pct(allUnknown, all)} |`,
);
rmSync(cacheDir, { recursive: true, force: true });
