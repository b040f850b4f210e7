/**
 * `loadImdb`: the IMDB sentiment dataset (Maas et al. 2011) as sequences of word ids, with the
 * semantics of Keras' `keras.datasets.imdb.load_data` (keras/src/datasets/imdb.py):
 *
 *   1. ranked corpus: every review's word ranks, from the Stanford texts tokenized onto Keras' word
 *      index (source 'aclImdb', cached on disk by the files' checksums) or from Keras' `imdb.npz`;
 *   2. shuffle: numpy's `RandomState(seed)` shuffles train, then the same stream shuffles test;
 *   3. ids: `[startChar, rank + indexFrom, ...]`;
 *   4. maxlen: keep only sequences with FEWER than `maxlen` ids, start char included (Keras'
 *      `remove_long_seq` keeps `len(x) < maxlen`);
 *   5. numWords / skipTop: an id outside [skipTop, numWords) becomes `oovChar` (or is dropped when
 *      `oovChar` is null). As in Keras this applies to the start char too (skipTop > 1 turns it
 *      into `oovChar`).
 * With the defaults, source 'aclImdb' gives the very sequences, order and labels of Keras' own
 * `load_data` (test/core/datasets/imdb-real.test.ts).
 *
 * Deliberate differences: Keras, given no `num_words`, sets it to the largest id, which its strict
 * `<` then maps to oov_char; here no `numWords` keeps every id. Keras' test split skips words that
 * never occur in train ("simply skipped", its docstring says); `unknownWords: 'skip'` does the same
 * with the Stanford texts (1.1% of test words), 'oov' maps them to `oovChar` instead.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { damagedCorpusCache, datasetFileCorrupt, noReviewKept } from '../data-errors.js';
import { invalidArgument } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { readAclImdb } from './acl-imdb.js';
import { fileChecksum } from './checksum.js';
import {
  corruptFileRemedy,
  IMDB_FILES,
  type ImdbLocationOptions,
  imdbCacheDir,
  locateAclImdb,
  locateImdbFile,
} from './imdb-files.js';
import { readNpz } from './npz.js';
import { NumpyRandomState, shuffledIndices } from './numpy-shuffle.js';
import {
  decodeRankedCorpus,
  encodeRankedCorpus,
  type RankedCorpus,
  type RankedSplit,
  rankedSplitFromLists,
  rankReviews,
} from './ranked-corpus.js';
import { readWordIndex } from './word-index.js';

/** Where the sequences come from: the Stanford texts, or Keras' pre-indexed `imdb.npz`. */
export const IMDB_SOURCES = ['aclImdb', 'npz'] as const;
export type ImdbSource = (typeof IMDB_SOURCES)[number];
export function isImdbSource(value: unknown): value is ImdbSource {
  return (IMDB_SOURCES as readonly unknown[]).includes(value);
}

/** Options of {@link loadImdb}; the defaults are Keras'. */
export interface LoadImdbOptions extends ImdbLocationOptions {
  /** Keep the ids of the `numWords - indexFrom` most frequent words; others become `oovChar`. Default: all. */
  numWords?: number | null;
  /** Ids below `skipTop` (the most frequent words) become `oovChar`. Default 0. */
  skipTop?: number;
  /** Drop reviews of `maxlen` ids or more (start char included). Default: keep all. */
  maxlen?: number | null;
  /** Seed of the shuffle, numpy `RandomState` compatible. Default 113, Keras' default. */
  seed?: number;
  /** First id of every sequence; null for none. Default 1. */
  startChar?: number | null;
  /** Id of a word cut by `numWords`/`skipTop`; null to drop such words. Default 2. */
  oovChar?: number | null;
  /** Id of the most frequent word; ids below it are reserved (0 pad, 1 start, 2 oov). Default 3. */
  indexFrom?: number;
  /** 'aclImdb' (the Stanford texts, default: the offline copy has them) or 'npz' (Keras' file). */
  source?: ImdbSource;
  /** Source 'aclImdb': a word the word index lacks (only in test) is skipped, as Keras does, or 'oov'. */
  unknownWords?: 'skip' | 'oov';
  /** Cache the tokenized corpus in `<cacheDir>/imdb` (a tarball source only). Default true. */
  cache?: boolean;
}

/** One split: ragged id sequences and their labels, aligned. */
export interface ImdbSplit {
  /** One Int32Array of ids per review (ragged: pad them before batching). */
  x: Int32Array[];
  /** 1 positive, 0 negative. [x.length] */
  y: Int32Array;
}

/** The two splits of {@link loadImdb}: 25,000 reviews each before `maxlen`. */
export interface ImdbData {
  train: ImdbSplit;
  test: ImdbSplit;
}

/** Bumped whenever the tokenization or the cache format changes: old caches are then ignored. */
const CORPUS_VERSION = 'v2';

/** Loads IMDB as Keras does (see the steps above). */
export async function loadImdb(options: LoadImdbOptions = {}): Promise<ImdbData> {
  const o = resolveOptions(options);
  // 1. Ranked corpus.
  const corpus =
    o.source === 'npz' ? await npzCorpus(options) : await aclImdbCorpus(options, o.cache);
  // 2. One numpy stream shuffles train, then test (Keras' order of calls).
  const rng = new NumpyRandomState(o.seed);
  const trainOrder = shuffledIndices(corpus.train.labels.length, rng);
  const testOrder = shuffledIndices(corpus.test.labels.length, rng);
  // 3-5. Ids, maxlen, numWords / skipTop.
  return {
    train: toSequences(corpus.train, trainOrder, o, 'train'),
    test: toSequences(corpus.test, testOrder, o, 'test'),
  };
}

type Resolved = ReturnType<typeof resolveOptions>;

function resolveOptions(options: LoadImdbOptions) {
  const source = options.source ?? 'aclImdb';
  if (!isImdbSource(source))
    throw invalidArgument('source', source, `one of ${IMDB_SOURCES.join(', ')}`);
  const unknownWords = options.unknownWords ?? 'skip';
  if (unknownWords !== 'skip' && unknownWords !== 'oov') {
    throw invalidArgument('unknownWords', unknownWords, "'skip' or 'oov'");
  }
  return {
    source,
    unknownWords,
    numWords: optionalInt('numWords', options.numWords, 1) ?? Number.POSITIVE_INFINITY,
    skipTop: optionalInt('skipTop', options.skipTop, 0) ?? 0,
    maxlen: optionalInt('maxlen', options.maxlen, 1),
    seed: options.seed ?? 113, // checked by NumpyRandomState
    startChar: options.startChar === undefined ? 1 : optionalInt('startChar', options.startChar, 0),
    oovChar: options.oovChar === undefined ? 2 : optionalInt('oovChar', options.oovChar, 0),
    indexFrom: optionalInt('indexFrom', options.indexFrom, 0) ?? 3,
    cache: options.cache ?? true,
  };
}

/** An integer >= min, or null/undefined (-> null). */
function optionalInt(name: string, value: number | null | undefined, min: number): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || value < min)
    throw invalidArgument(name, value, `an integer >= ${min}`);
  return value;
}

/** Steps 3-5 for one split, in `order`. */
function toSequences(split: RankedSplit, order: Int32Array, o: Resolved, name: string): ImdbSplit {
  const { offsets, ranks, labels } = split;
  let longest = 0;
  for (let r = 0; r < labels.length; r++)
    longest = Math.max(longest, offsets[r + 1]! - offsets[r]!);
  const ids = new Int32Array(longest + 1);
  const x: Int32Array[] = [];
  const y: number[] = [];
  for (const r of order) {
    // 3. [startChar, rank + indexFrom, ...]; a word outside the index is skipped or oovChar.
    let n = 0;
    if (o.startChar !== null) ids[n++] = o.startChar;
    for (let k = offsets[r]!; k < offsets[r + 1]!; k++) {
      const rank = ranks[k]!;
      if (rank > 0) ids[n++] = rank + o.indexFrom;
      else if (o.unknownWords === 'oov' && o.oovChar !== null) ids[n++] = o.oovChar;
    }
    // 4. Keras keeps len(x) < maxlen.
    if (o.maxlen !== null && n >= o.maxlen) continue;
    // 5. skipTop <= id < numWords, else oovChar (or dropped).
    let m = 0;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (id >= o.skipTop && id < o.numWords) ids[m++] = id;
      else if (o.oovChar !== null) ids[m++] = o.oovChar;
    }
    x.push(ids.slice(0, m));
    y.push(labels[r]!);
  }
  if (x.length === 0) throw noReviewKept(o.maxlen ?? 0, name);
  return { x, y: Int32Array.from(y) };
}

/** Source 'aclImdb': the Stanford texts ranked by the word index, from the cache when it has them. */
async function aclImdbCorpus(options: LoadImdbOptions, cache: boolean): Promise<RankedCorpus> {
  const source = await locateAclImdb(options);
  const wordIndexFile = await locateImdbFile(IMDB_FILES.wordIndex, options);
  // An extracted directory has no single checksum to key a cache by: it is read every time.
  const cacheFile =
    cache && source.endsWith('.tar.gz') ? await cacheFileFor(source, wordIndexFile, options) : null;
  if (cacheFile) {
    const bytes = await readFile(cacheFile.path).catch(() => null);
    const cached = bytes && decodeRankedCorpus(bytes, cacheFile.key);
    if (cached) return cached;
    // Its name holds the key, so a file that is there but does not decode is damaged.
    if (bytes) console.warn(damagedCorpusCache(cacheFile.path));
  }
  const [reviews, wordIndex] = await Promise.all([
    readAclImdb(source, options.onProgress, corruptFileRemedy(IMDB_FILES.aclImdb, options)),
    readWordIndex(wordIndexFile, corruptFileRemedy(IMDB_FILES.wordIndex, options)),
  ]);
  const corpus = {
    train: rankReviews(reviews.train, wordIndex),
    test: rankReviews(reviews.test, wordIndex),
  };
  if (cacheFile) {
    // The cache only saves time: a read-only or full disk must not fail the load.
    await mkdir(dirname(cacheFile.path), { recursive: true })
      .then(() => writeFileAtomic(cacheFile.path, encodeRankedCorpus(corpus, cacheFile.key)))
      .catch(() => {});
  }
  return corpus;
}

async function cacheFileFor(tarball: string, wordIndexFile: string, options: LoadImdbOptions) {
  const [a, b] = await Promise.all([
    fileChecksum(tarball, 'md5'),
    fileChecksum(wordIndexFile, 'md5'),
  ]);
  return {
    key: `${CORPUS_VERSION}:${a}:${b}`,
    path: join(
      imdbCacheDir(options),
      `ranks-${CORPUS_VERSION}-${a.slice(0, 12)}-${b.slice(0, 12)}.bin`,
    ),
  };
}

/** Source 'npz': Keras' arrays x_train, y_train, x_test, y_test (ranks, not yet + indexFrom). */
async function npzCorpus(options: LoadImdbOptions): Promise<RankedCorpus> {
  const file = await locateImdbFile(IMDB_FILES.npz, options);
  try {
    const arrays = readNpz(await readFile(file));
    const split = (name: 'train' | 'test'): RankedSplit => {
      const x = arrays.get(`x_${name}`);
      const y = arrays.get(`y_${name}`);
      if (x?.kind !== 'lists' || y?.kind !== 'int') {
        throw new Error(`x_${name} (object array of lists) or y_${name} (integers) is missing`);
      }
      return rankedSplitFromLists(x.data, y.data);
    };
    return { train: split('train'), test: split('test') };
  } catch (error) {
    throw datasetFileCorrupt(
      file,
      (error as Error).message,
      corruptFileRemedy(IMDB_FILES.npz, options),
    );
  }
}
