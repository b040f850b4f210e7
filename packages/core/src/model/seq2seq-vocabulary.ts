/**
 * Vocabularies a model keeps and saves with itself, as the user attached them: a word list (id =
 * position) or a word index (word -> id), for the source and/or the target side. The model only
 * checks that every id fits its vocabSize; turning text into ids is `preprocess/`'s job.
 */
import { invalidArgument, unknownKeys, vocabularyMismatch } from '../errors.js';

/** A word list (index = id) or a word index (word -> id): how a model keeps and saves it. */
export type VocabularyData = readonly string[] | Readonly<Record<string, number>>;

export interface Seq2SeqVocabulary {
  src?: VocabularyData;
  tgt?: VocabularyData;
}

/** What a model accepts as a vocabulary side: also a Map, such as `getImdbWordIndex()` returns. */
export type VocabularyInput = VocabularyData | ReadonlyMap<string, number>;

export interface Seq2SeqVocabularyInput {
  src?: VocabularyInput;
  tgt?: VocabularyInput;
}

const SIDES = ['src', 'tgt'] as const;

/** Throws unless the model options (`{ vocabulary? }`, the only one) have no other key. */
export function checkOptionKeys(options: object): void {
  if (!isPlainObject(options))
    throw invalidArgument('options', options, 'an object { vocabulary? }');
  const unknown = Object.keys(options).filter((k) => k !== 'vocabulary');
  if (unknown.length > 0) throw unknownKeys('options', unknown, ['vocabulary']);
}

/**
 * `vocabulary`, checked: every id must fit the model's vocabulary sizes. Returned in the form it is
 * saved in (JSON), so a model's vocabulary is the same before a save and after a load: a Map
 * becomes the plain object word -> id; word lists and plain objects are kept as they are.
 */
export function checkVocabulary(
  vocabulary: Seq2SeqVocabularyInput | undefined,
  srcVocabSize: number,
  tgtVocabSize: number,
): Seq2SeqVocabulary | undefined {
  if (vocabulary === undefined) return undefined;
  if (!isPlainObject(vocabulary)) {
    throw invalidArgument(
      'vocabulary',
      vocabulary,
      'an object { src?, tgt? } of word lists or word indices',
    );
  }
  const unknown = Object.keys(vocabulary).filter((k) => !(SIDES as readonly string[]).includes(k));
  if (unknown.length > 0) throw unknownKeys('vocabulary', unknown, SIDES);
  const checked: Seq2SeqVocabulary = {};
  const src = checkSide('vocabulary.src', vocabulary.src, srcVocabSize);
  const tgt = checkSide('vocabulary.tgt', vocabulary.tgt, tgtVocabSize);
  if (src !== undefined) checked.src = src;
  if (tgt !== undefined) checked.tgt = tgt;
  return checked;
}

function checkSide(
  name: string,
  data: VocabularyInput | undefined,
  vocabSize: number,
): VocabularyData | undefined {
  if (data === undefined) return undefined;
  if (Array.isArray(data)) {
    if (!data.every((word) => typeof word === 'string')) {
      throw invalidArgument(name, data, 'a list of words (strings)');
    }
    if (data.length > vocabSize) throw vocabularyMismatch(name, data.length, vocabSize);
    return data;
  }
  const isMap = data instanceof Map;
  if (!isMap && !isPlainObject(data)) {
    throw invalidArgument(
      name,
      data,
      'a word list (string[]) or a word index (word -> id, a plain object or a Map)',
    );
  }
  const entries: [unknown, unknown][] = isMap
    ? [...(data as ReadonlyMap<unknown, unknown>)]
    : Object.entries(data);
  let maxId = -1;
  for (const [word, id] of entries) {
    if (typeof word !== 'string') throw invalidArgument(`${name} key`, word, 'a word (a string)');
    if (!(typeof id === 'number' && Number.isInteger(id) && id >= 0))
      throw invalidArgument(`${name}[${JSON.stringify(word)}]`, id, 'a non-negative integer id');
    maxId = Math.max(maxId, id);
  }
  if (maxId >= vocabSize) throw vocabularyMismatch(name, maxId + 1, vocabSize);
  return isMap ? Object.fromEntries(entries as [string, number][]) : (data as VocabularyData);
}

/** An object literal (or one made by JSON.parse or Object.create(null)): no class instance. */
function isPlainObject(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
