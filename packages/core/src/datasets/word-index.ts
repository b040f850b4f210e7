/**
 * Keras' IMDB word index (`imdb_word_index.json`): word -> frequency rank over the train split,
 * 1 = most frequent ("the"), 88,584 words. A sequence id is `rank + indexFrom` (3 by default).
 */
import { readFile } from 'node:fs/promises';
import { datasetFileCorrupt } from '../data-errors.js';
import {
  corruptFileRemedy,
  IMDB_FILES,
  type ImdbLocationOptions,
  locateImdbFile,
} from './imdb-files.js';

/** Options of {@link getImdbWordIndex}: where the file is (see {@link ImdbLocationOptions}). */
export type ImdbWordIndexOptions = ImdbLocationOptions;

/**
 * The word index as a Map (word -> rank, 1-based; add `indexFrom` for the ids of
 * {@link loadImdb}), like Keras' `imdb.get_word_index()`. A Map, not an object, so that words
 * such as "constructor" need no care.
 */
export async function getImdbWordIndex(
  options: ImdbWordIndexOptions = {},
): Promise<Map<string, number>> {
  const file = await locateImdbFile(IMDB_FILES.wordIndex, options);
  return readWordIndex(file, corruptFileRemedy(IMDB_FILES.wordIndex, options));
}

/**
 * Parses and checks a word index file (a JSON object of positive integer ranks); `remedy` says
 * what to do about a damaged one, when the default advice to download it afresh does not apply.
 */
export async function readWordIndex(file: string, remedy?: string): Promise<Map<string, number>> {
  const corrupt = (problem: string) => datasetFileCorrupt(file, problem, remedy);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw corrupt(`not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw corrupt('not a JSON object of word -> rank');
  }
  const index = new Map<string, number>();
  for (const [word, rank] of Object.entries(parsed)) {
    if (!Number.isInteger(rank) || (rank as number) < 1) {
      throw corrupt(`the rank of ${JSON.stringify(word)} is ${JSON.stringify(rank)}`);
    }
    index.set(word, rank as number);
  }
  if (index.size === 0) throw corrupt('it holds no word');
  return index;
}
