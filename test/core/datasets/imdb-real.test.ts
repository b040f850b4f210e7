// The real offline IMDB copy (ENCDEC_DATA_DIR, else <repo>/../shared/data/imdb). The first load
// tokenizes all 50,000 reviews into a temporary cache; every other load reads that cache.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  getImdbWordIndex,
  type ImdbData,
  type ImdbReview,
  type LoadImdbOptions,
  loadImdb,
  loadImdbText,
  tokenizeImdb,
} from '@encdec/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFixture, realDataDir, tempDir } from './fixtures.js';

const path = realDataDir();
const cacheDir = tempDir();
const load = (options: LoadImdbOptions = {}) => loadImdb({ path, cacheDir, ...options });
const key = (x: Int32Array) => x.join(',');

let full: ImdbData;
let texts: Record<'train' | 'test', ImdbReview[]>;
beforeAll(async () => {
  full = await load();
  texts = {
    train: await loadImdbText({ path }),
    test: await loadImdbText({ path, split: 'test' }),
  };
});

describe('loadImdb on the offline copy', () => {
  it('has 25,000 reviews per split, half of them positive', () => {
    for (const split of [full.train, full.test]) {
      expect(split.x).toHaveLength(25_000);
      expect(split.y).toHaveLength(25_000);
      expect(split.y.reduce((a, b) => a + b, 0)).toBe(12_500);
      expect(split.x.every((x) => x[0] === 1)).toBe(true);
    }
  });

  it("equals Keras' own load_data(num_words=5000): first and last three of each split", async () => {
    interface Golden {
      numWords: number;
      train: { first: number[][]; last: number[][]; labelsFirst: number[]; labelsLast: number[] };
      test: Golden['train'];
    }
    const golden = readFixture<Golden>('keras-golden.json');
    const data = await load({ numWords: golden.numWords });
    for (const split of ['train', 'test'] as const) {
      const { x, y } = data[split];
      expect([...x.slice(0, 3), ...x.slice(-3)].map((s) => Array.from(s))).toEqual([
        ...golden[split].first,
        ...golden[split].last,
      ]);
      expect([...y.slice(0, 3), ...y.slice(-3)]).toEqual([
        ...golden[split].labelsFirst,
        ...golden[split].labelsLast,
      ]);
    }
  });

  it('starts "Bromwell High is a cartoon comedy" with [1, 2, 312, 9, 6, 1072, 212] (numWords 10000)', async () => {
    const bromwell = texts.train[0]!;
    expect(bromwell.text.startsWith('Bromwell High is a cartoon comedy.')).toBe(true);
    expect([bromwell.id, bromwell.rating, bromwell.label]).toEqual([0, 9, 1]);
    const index = await getImdbWordIndex({ path });
    const ids = tokenizeImdb(bromwell.text).map((w) => index.get(w)! + 3);
    expect(ids.slice(0, 6)).toEqual([23025, 312, 9, 6, 1072, 212]); // "bromwell" is rank 23022

    const data = await load({ numWords: 10_000 });
    const prefix = '1,2,312,9,6,1072,212,';
    const found = data.train.x.flatMap((x, i) => (key(x).startsWith(prefix) ? [i] : []));
    expect(found).toHaveLength(1);
    expect(data.train.y[found[0]!]).toBe(1);
  });

  it('keeps ids in [skipTop, numWords), the rest become oovChar (the start char too)', async () => {
    const data = await load({ numWords: 10_000, skipTop: 20 });
    const map = (id: number) => (id >= 20 && id < 10_000 ? id : 2);
    for (const split of ['train', 'test'] as const) {
      expect(data[split].x.map(key)).toEqual(full[split].x.map((x) => key(x.map(map))));
      expect(data[split].y).toEqual(full[split].y);
    }
  });

  it('maxlen keeps only reviews with fewer than maxlen ids, in order, labels aligned', async () => {
    const data = await load({ maxlen: 100 });
    for (const split of ['train', 'test'] as const) {
      const kept = full[split].x.flatMap((x, i) => (x.length < 100 ? [i] : []));
      expect(kept.length).toBeGreaterThan(1000);
      expect(data[split].x.map(key)).toEqual(kept.map((i) => key(full[split].x[i]!)));
      expect(Array.from(data[split].y)).toEqual(kept.map((i) => full[split].y[i]));
    }
  });

  it('shuffles by seed: same seed same order, another seed another, x and y aligned', async () => {
    const again = await load();
    const other = await load({ seed: 1 });
    for (const split of ['train', 'test'] as const) {
      expect(again[split].x.map(key)).toEqual(full[split].x.map(key));
      const otherKeys = other[split].x.map(key);
      expect(otherKeys.filter((k, i) => k === key(full[split].x[i]!)).length).toBeLessThan(100);
      // Same (sequence, label) pairs in another order: x and y moved together. A multiset, since
      // the release has duplicate reviews.
      const pairs = (d: ImdbData) => d[split].x.map((x, i) => `${key(x)}|${d[split].y[i]}`).sort();
      expect(pairs(other).join('\n') === pairs(full).join('\n')).toBe(true);
    }
  });

  it('knows every train word; 63,712 test words are not in the word index (skipped or oov)', async () => {
    // 63,712: counted independently with Python (str.translate + split) over the test texts.
    const oov = await load({ unknownWords: 'oov' });
    expect(oov.train.x.map(key)).toEqual(full.train.x.map(key));
    const words = (d: ImdbData) => d.test.x.reduce((sum, x) => sum + x.length, 0);
    expect(words(oov) - words(full)).toBe(63_712);
  });
});

describe('loadImdbText on the offline copy', () => {
  it('has the rating histograms of the release', () => {
    const histogram = (reviews: ImdbReview[], label: number) => {
      const counts: Record<number, number> = {};
      for (const r of reviews)
        if (r.label === label) counts[r.rating] = (counts[r.rating] ?? 0) + 1;
      return counts;
    };
    // From the data README (the official release's counts).
    expect(histogram(texts.train, 1)).toEqual({ 7: 2496, 8: 3009, 9: 2263, 10: 4732 });
    expect(histogram(texts.train, 0)).toEqual({ 1: 5100, 2: 2284, 3: 2420, 4: 2696 });
    expect(histogram(texts.test, 1)).toEqual({ 7: 2307, 8: 2850, 9: 2344, 10: 4999 });
    expect(histogram(texts.test, 0)).toEqual({ 1: 5022, 2: 2302, 3: 2541, 4: 2635 });
  });

  it('puts the positive reviews first, each split ordered by file name', () => {
    for (const split of [texts.train, texts.test]) {
      expect(split.slice(0, 12_500).every((r) => r.label === 1)).toBe(true);
      expect(split.slice(12_500).every((r) => r.label === 0)).toBe(true);
      const names = split.slice(0, 12_500).map((r) => `${r.id}_${r.rating}.txt`);
      expect(names).toEqual([...names].sort());
    }
  });
});

describe("the offline copy's word index is Keras' file", () => {
  it('passes its checksum; with "the" and "and" swapped it is refused, naming both md5s', async () => {
    const index = await getImdbWordIndex({ path }); // checked against Keras' md5
    expect([index.get('the'), index.get('and')]).toEqual([1, 2]);

    const text = await readFile(join(path, 'imdb_word_index.json'), 'utf8');
    const swapped = JSON.stringify(
      Object.fromEntries(
        Object.entries(JSON.parse(text) as Record<string, number>).map(([w, r]) => [
          w,
          r === 1 ? 2 : r === 2 ? 1 : r,
        ]),
      ),
    );
    const dir = tempDir();
    const file = join(dir, 'imdb_word_index.json');
    await writeFile(file, swapped);
    const md5 = createHash('md5').update(swapped).digest('hex');
    await expect(getImdbWordIndex({ path: dir })).rejects.toThrow(
      `Checksum mismatch for the local file ${file}: md5 is ${md5}, expected bfafd718b763782e994055a2d397834f, the checksum of https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json.`,
    );
    // Opting out reads it as it is.
    const own = await getImdbWordIndex({ path: dir, verifyChecksums: false });
    expect([own.get('the'), own.get('and')]).toEqual([2, 1]);
  });
});
