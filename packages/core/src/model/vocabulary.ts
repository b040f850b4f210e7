/**
 * Vocabularies a model keeps and saves with itself, as the user attached them: a word list (id =
 * position) or a word index (word -> id), for the source and/or the target side. The model only
 * checks that every id fits its vocabSize; turning text into ids is `preprocess/`'s job.
 */
import { invalidArgument, vocabularyMismatch } from '../errors.js';

/** A word list (index = id) or a word index (word -> id). */
export type VocabularyData = readonly string[] | Readonly<Record<string, number>>;

export interface Seq2SeqVocabulary {
  src?: VocabularyData;
  tgt?: VocabularyData;
}

/** Throws unless every id of `vocabulary` fits the model's vocabulary sizes. */
export function checkVocabulary(
  vocabulary: Seq2SeqVocabulary | undefined,
  srcVocabSize: number,
  tgtVocabSize: number,
): void {
  if (vocabulary === undefined) return;
  if (vocabulary === null || typeof vocabulary !== 'object' || Array.isArray(vocabulary)) {
    throw invalidArgument(
      'vocabulary',
      vocabulary,
      'an object { src?, tgt? } of word lists or word indices',
    );
  }
  checkSide('vocabulary.src', vocabulary.src, srcVocabSize);
  checkSide('vocabulary.tgt', vocabulary.tgt, tgtVocabSize);
}

function checkSide(name: string, data: VocabularyData | undefined, vocabSize: number): void {
  if (data === undefined) return;
  if (Array.isArray(data)) {
    if (!data.every((word) => typeof word === 'string')) {
      throw invalidArgument(name, data, 'a list of words (strings)');
    }
    if (data.length > vocabSize) throw vocabularyMismatch(name, data.length, vocabSize);
    return;
  }
  if (data === null || typeof data !== 'object') {
    throw invalidArgument(name, data, 'a word list (string[]) or a word index (word -> id)');
  }
  let maxId = -1;
  for (const [word, id] of Object.entries(data)) {
    if (!(Number.isInteger(id) && id >= 0))
      throw invalidArgument(`${name}[${JSON.stringify(word)}]`, id, 'a non-negative integer id');
    maxId = Math.max(maxId, id);
  }
  if (maxId >= vocabSize) throw vocabularyMismatch(name, maxId + 1, vocabSize);
}
