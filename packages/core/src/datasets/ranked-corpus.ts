/**
 * The IMDB corpus as word ranks, before any of `loadImdb`'s options apply: what both sources (the
 * Stanford texts tokenized onto the word index, and Keras' `imdb.npz`) have in common, and what is
 * cached on disk so that the texts are tokenized once.
 *
 * Cache file format (little-endian, as every platform Node runs on):
 *   "EDIMDB02" | uint32 header length | header JSON | padding to 4 bytes |
 *   per split (train, test): int32 offsets [count + 1] | int32 labels [count] | int32 ranks [tokens]
 * The header holds the md5 of everything after it: a damaged cache (one flipped byte changes a
 * review's ids or moves review boundaries) is rebuilt, never read as data.
 */
import { createHash } from 'node:crypto';
import { invalidArgument } from '../errors.js';
import type { ImdbReview, ImdbSplitName } from './acl-imdb.js';
import { tokenizeImdb } from './imdb-tokenize.js';

/** One split: every review's word ranks, concatenated. */
export interface RankedSplit {
  /** Review i is `ranks.subarray(offsets[i], offsets[i + 1])`. [count + 1] */
  offsets: Int32Array;
  /** Frequency ranks (1 = most frequent); 0 for a word the word index lacks. [tokens] */
  ranks: Int32Array;
  /** 1 positive, 0 negative. [count] */
  labels: Int32Array;
}

/** Both splits, each in its source's order (see acl-imdb.ts). */
export type RankedCorpus = Record<ImdbSplitName, RankedSplit>;

const MAGIC = 'EDIMDB02';
const SPLITS: readonly ImdbSplitName[] = ['train', 'test'];

/** Tokenizes `reviews` and looks every word up in `wordIndex`. */
export function rankReviews(
  reviews: readonly ImdbReview[],
  wordIndex: ReadonlyMap<string, number>,
): RankedSplit {
  const offsets = new Int32Array(reviews.length + 1);
  const labels = new Int32Array(reviews.length);
  // Measured: about 5.6 characters per word with its separator; grow if a corpus has shorter ones.
  let capacity = 0;
  for (const review of reviews) capacity += Math.ceil(review.text.length / 5);
  let ranks = new Int32Array(capacity);
  let used = 0;
  reviews.forEach((review, i) => {
    const words = tokenizeImdb(review.text);
    if (used + words.length > ranks.length) {
      const grown = new Int32Array(Math.max(ranks.length * 2, used + words.length));
      grown.set(ranks.subarray(0, used));
      ranks = grown;
    }
    for (const word of words) ranks[used++] = wordIndex.get(word) ?? 0;
    labels[i] = review.label;
    offsets[i + 1] = used;
  });
  return { offsets, ranks: ranks.slice(0, used), labels };
}

/** A split from ragged sequences of ranks and their labels (Keras' `imdb.npz` arrays). */
export function rankedSplitFromLists(lists: readonly number[][], labels: Int32Array): RankedSplit {
  if (lists.length !== labels.length) {
    throw invalidArgument('labels', labels.length, `one label per sequence (${lists.length})`);
  }
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((list, i) => {
    offsets[i + 1] = offsets[i]! + list.length;
  });
  const ranks = new Int32Array(offsets[lists.length]!);
  lists.forEach((list, i) => {
    ranks.set(list, offsets[i]!);
  });
  return { offsets, ranks, labels: Int32Array.from(labels) };
}

/** The cache file bytes of `corpus`; `key` identifies its sources (checksums, version). */
export function encodeRankedCorpus(corpus: RankedCorpus, key: string): Uint8Array {
  const parts = SPLITS.flatMap((s) => [corpus[s].offsets, corpus[s].labels, corpus[s].ranks]);
  const hash = createHash('md5');
  for (const part of parts) hash.update(bytesOf(part));
  const header = new TextEncoder().encode(
    JSON.stringify({
      key,
      splits: Object.fromEntries(
        SPLITS.map((s) => [s, { count: corpus[s].labels.length, tokens: corpus[s].ranks.length }]),
      ),
      md5: hash.digest('hex'),
    }),
  );
  const dataStart = align4(MAGIC.length + 4 + header.length);
  let size = dataStart;
  for (const s of SPLITS) size += 4 * (corpus[s].offsets.length * 2 - 1 + corpus[s].ranks.length);
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(MAGIC.length, header.length, true);
  bytes.set(header, MAGIC.length + 4);
  let at = dataStart;
  for (const part of parts) {
    bytes.set(bytesOf(part), at);
    at += part.byteLength;
  }
  return bytes;
}

function bytesOf(part: Int32Array): Uint8Array {
  return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
}

/**
 * The corpus in a cache file, or null when the bytes are not one for `key`: stale (another key or
 * format) or damaged (truncated, or its content fails the md5 of its header).
 */
export function decodeRankedCorpus(bytes: Uint8Array, key: string): RankedCorpus | null {
  if (bytes.length < MAGIC.length + 4) return null;
  if (new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  let header: {
    key?: string;
    splits?: Record<string, { count: number; tokens: number }>;
    md5?: string;
  };
  try {
    const text = new TextDecoder().decode(
      bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLength),
    );
    header = JSON.parse(text);
  } catch {
    return null;
  }
  if (header.key !== key || !header.splits) return null;
  const start = align4(MAGIC.length + 4 + headerLength);
  if (createHash('md5').update(bytes.subarray(start)).digest('hex') !== header.md5) return null;
  // Copy into an aligned buffer once; the splits are views into it.
  const words = new Int32Array((bytes.length - start) >> 2);
  new Uint8Array(words.buffer).set(bytes.subarray(start, start + words.byteLength));
  let at = 0;
  const take = (n: number) => {
    const part = words.subarray(at, at + n);
    at += n;
    return part;
  };
  const corpus: Partial<RankedCorpus> = {};
  for (const s of SPLITS) {
    const size = header.splits[s];
    if (!size || at + 2 * size.count + 1 + size.tokens > words.length) return null;
    corpus[s] = {
      offsets: take(size.count + 1),
      labels: take(size.count),
      ranks: take(size.tokens),
    };
  }
  return at === words.length ? (corpus as RankedCorpus) : null;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
