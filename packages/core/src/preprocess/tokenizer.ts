/**
 * Keras' `Tokenizer` (keras_preprocessing 1.1, `text.py`): texts -> integer sequences and back,
 * with the same word index, the same edge cases and the same JSON file.
 *
 * How the word index is built (`fitOnTexts`, after every call, from all texts seen so far):
 *   1. count every token, remembering the order in which tokens first appeared;
 *   2. sort by count, descending; the sort is stable, so ties keep first-appearance order;
 *   3. number from 1 (0 is padding); `oovToken`, when set, is put first and gets 1.
 * `numWords` does not shrink the index: it only makes the conversions ignore (or map to the OOV
 * id) every index >= numWords, so the `numWords - 1` most frequent entries are kept.
 *
 * Keras details kept on purpose:
 *   - `numWords: 0` means no limit (Keras tests `if num_words`);
 *   - `charLevel` ignores `filters` and `split`: every code point, spaces included, is a token;
 *   - a text given as an array of tokens is only lower-cased, never filtered or split;
 *   - an oovToken that also occurs in the texts ends up at its count's rank, not at 1; index 1
 *     then has no word (Keras builds the index with `dict(zip(...))`, the last duplicate wins);
 *   - `sequencesToTexts` turns every id without a word (0 included) into the OOV token when one
 *     is set, and drops it otherwise.
 * Differences: a tokenizer loaded from JSON can be fitted further (Keras' loaded `word_docs` is
 * a plain dict and raises KeyError); converting with an oovToken before any fit throws
 * (Keras emits `None`); `sequences_to_matrix`/`texts_to_matrix` are not provided.
 */
import { tokenizerNotFitted } from '../data-errors.js';
import { invalidArgument } from '../errors.js';
import { type WordSplitter, wordSplitter } from './text-to-word-sequence.js';
import {
  fromKerasJson,
  type KerasTokenizerJson,
  type TokenizerState,
  toKerasJson,
} from './tokenizer-json.js';

/** A text, or a text already cut into tokens (Keras accepts both). */
export type TokenizerText = string | readonly string[];

/** Options of {@link Tokenizer}; every default is Keras'. */
export interface TokenizerOptions {
  /** Keep only indices < numWords in conversions (0 or null: no limit). Default null. */
  numWords?: number | null;
  /** Characters removed from texts. Default: ASCII punctuation except `'`, plus tab, newline. */
  filters?: string;
  /** Lower-case texts (and token arrays). Default true. */
  lower?: boolean;
  /** Word separator. Default ' '. */
  split?: string;
  /** One token per character (code point) instead of per word. Default false. */
  charLevel?: boolean;
  /** Token standing for unknown words, at index 1; null drops unknown words. Default null. */
  oovToken?: string | null;
  /** Number of texts already seen (Keras' constructor argument). Default 0. */
  documentCount?: number;
}

export class Tokenizer {
  readonly numWords: number | null;
  readonly filters: string;
  readonly lower: boolean;
  readonly split: string;
  readonly charLevel: boolean;
  readonly oovToken: string | null;

  private readonly splitter: WordSplitter;
  private state: TokenizerState;

  constructor(options: TokenizerOptions = {}) {
    const { numWords = null, charLevel = false, oovToken = null, documentCount = 0 } = options;
    if (numWords !== null && !(Number.isSafeInteger(numWords) && numWords >= 0)) {
      throw invalidArgument('numWords', numWords, 'a non-negative integer or null');
    }
    if (typeof charLevel !== 'boolean') throw invalidArgument('charLevel', charLevel, 'a boolean');
    if (oovToken !== null && typeof oovToken !== 'string') {
      throw invalidArgument('oovToken', oovToken, 'a string or null');
    }
    if (!(Number.isSafeInteger(documentCount) && documentCount >= 0)) {
      throw invalidArgument('documentCount', documentCount, 'a non-negative integer');
    }
    this.splitter = wordSplitter(options);
    this.numWords = numWords;
    this.filters = this.splitter.filters;
    this.lower = this.splitter.lower;
    this.split = this.splitter.split;
    this.charLevel = charLevel;
    this.oovToken = oovToken;
    this.state = {
      wordCounts: new Map(),
      wordDocs: new Map(),
      indexDocs: new Map(),
      wordIndex: new Map(),
      indexWord: new Map(),
      documentCount,
    };
  }

  /** Token -> index, most frequent first (1-based; 0 is padding). */
  get wordIndex(): ReadonlyMap<string, number> {
    return this.state.wordIndex;
  }
  /** Index -> token, the inverse of `wordIndex`. */
  get indexWord(): ReadonlyMap<number, string> {
    return this.state.indexWord;
  }
  /** Token -> occurrences, in order of first appearance. */
  get wordCounts(): ReadonlyMap<string, number> {
    return this.state.wordCounts;
  }
  /** Token -> number of texts containing it. */
  get wordDocs(): ReadonlyMap<string, number> {
    return this.state.wordDocs;
  }
  /** Index -> number of texts containing it. */
  get indexDocs(): ReadonlyMap<number, number> {
    return this.state.indexDocs;
  }
  /** Number of texts (and sequences) fitted on. */
  get documentCount(): number {
    return this.state.documentCount;
  }

  /** Counts the tokens of `texts` and rebuilds the word index from every text seen so far. */
  fitOnTexts(texts: Iterable<TokenizerText>): this {
    const { wordCounts, wordDocs, indexDocs } = this.state;
    // Cut every text first, so that a bad text leaves the tokenizer as it was.
    let i = 0;
    const documents: (readonly string[])[] = [];
    for (const text of checkIterable(texts, 'texts'))
      documents.push(this.tokens(text, `texts[${i++}]`));
    for (const tokens of documents) {
      this.state.documentCount += 1;
      for (const token of tokens) wordCounts.set(token, (wordCounts.get(token) ?? 0) + 1);
      for (const token of new Set(tokens)) wordDocs.set(token, (wordDocs.get(token) ?? 0) + 1);
    }

    // Stable sort by count, descending: ties keep first-appearance order.
    const byCount = [...wordCounts].sort((a, b) => b[1] - a[1]);
    const vocabulary = this.oovToken === null ? [] : [this.oovToken];
    for (const [token] of byCount) vocabulary.push(token);
    const wordIndex = new Map<string, number>();
    for (const [k, token] of vocabulary.entries()) wordIndex.set(token, k + 1);
    const indexWord = new Map<number, string>();
    for (const [token, index] of wordIndex) indexWord.set(index, token);
    for (const [token, docs] of wordDocs) indexDocs.set(wordIndex.get(token)!, docs);
    this.state.wordIndex = wordIndex;
    this.state.indexWord = indexWord;
    return this;
  }

  /** Keras' `fit_on_sequences`: counts documents per index (for tf-idf); no word index change. */
  fitOnSequences(sequences: Iterable<ArrayLike<number>>): this {
    const { indexDocs } = this.state;
    let i = 0;
    for (const sequence of checkIterable(sequences, 'sequences')) {
      const ids = new Set(Array.from(checkIds(sequence, `sequences[${i++}]`)));
      this.state.documentCount += 1;
      for (const id of ids) indexDocs.set(id, (indexDocs.get(id) ?? 0) + 1);
    }
    return this;
  }

  /** Each text -> its token indices; unknown or beyond-`numWords` tokens -> OOV id or dropped. */
  textsToSequences(texts: Iterable<TokenizerText>): number[][] {
    const { wordIndex } = this.state;
    const oovIndex = this.oovIndex('textsToSequences');
    const limit = this.numWords || Number.POSITIVE_INFINITY;
    const sequences: number[][] = [];
    let i = 0;
    for (const text of checkIterable(texts, 'texts')) {
      const sequence: number[] = [];
      for (const token of this.tokens(text, `texts[${i++}]`)) {
        const index = wordIndex.get(token);
        if (index !== undefined && index < limit) sequence.push(index);
        else if (oovIndex !== undefined) sequence.push(oovIndex);
      }
      sequences.push(sequence);
    }
    return sequences;
  }

  /** Each sequence -> its tokens joined by a space; ids without a word -> OOV token or dropped. */
  sequencesToTexts(sequences: Iterable<ArrayLike<number>>): string[] {
    const { indexWord } = this.state;
    const oovIndex = this.oovIndex('sequencesToTexts');
    const oovWord =
      oovIndex === undefined ? undefined : (indexWord.get(oovIndex) ?? this.oovToken!);
    const limit = this.numWords || Number.POSITIVE_INFINITY;
    const texts: string[] = [];
    let i = 0;
    for (const sequence of checkIterable(sequences, 'sequences')) {
      const words: string[] = [];
      const ids = checkIds(sequence, `sequences[${i++}]`);
      for (let j = 0; j < ids.length; j++) {
        const id = ids[j]!;
        const word = indexWord.get(id);
        if (word !== undefined && id < limit) words.push(word);
        else if (oovWord !== undefined) words.push(oovWord);
      }
      texts.push(words.join(' '));
    }
    return texts;
  }

  /** The Keras tokenizer file: `JSON.stringify(tokenizer)` loads in Keras' `tokenizer_from_json`. */
  toJSON(): KerasTokenizerJson {
    const settings = {
      num_words: this.numWords,
      filters: this.filters,
      lower: this.lower,
      split: this.split,
      char_level: this.charLevel,
      oov_token: this.oovToken,
    };
    return toKerasJson(settings, this.state);
  }

  /** A tokenizer from a Keras tokenizer file (`tokenizer.to_json()`) or from {@link Tokenizer.toJSON}. */
  static fromJSON(json: string | KerasTokenizerJson): Tokenizer {
    const { settings, state } = fromKerasJson(json);
    const tokenizer = new Tokenizer({
      numWords: settings.num_words,
      filters: settings.filters,
      lower: settings.lower,
      split: settings.split,
      charLevel: settings.char_level,
      oovToken: settings.oov_token,
    });
    tokenizer.state = state;
    return tokenizer;
  }

  /** The tokens of one text, as Keras' `fit_on_texts`/`texts_to_sequences` cut them. */
  private tokens(text: TokenizerText, name: string): readonly string[] {
    if (Array.isArray(text)) {
      text.forEach((token, j) => {
        if (typeof token !== 'string') throw invalidArgument(`${name}[${j}]`, token, 'a string');
      });
      return this.lower ? text.map((token: string) => token.toLowerCase()) : text;
    }
    if (typeof text !== 'string') throw invalidArgument(name, text, 'a string or string[]');
    if (this.charLevel) return [...(this.lower ? text.toLowerCase() : text)];
    return this.splitter.words(text);
  }

  /** The OOV token's index, or undefined without an OOV token. */
  private oovIndex(method: string): number | undefined {
    if (this.oovToken === null) return undefined;
    const index = this.state.wordIndex.get(this.oovToken);
    if (index === undefined) throw tokenizerNotFitted(method);
    return index;
  }
}

function checkIterable<T>(items: Iterable<T>, name: string): Iterable<T> {
  if (
    typeof items === 'string' ||
    typeof (items as Iterable<T>)?.[Symbol.iterator] !== 'function'
  ) {
    throw invalidArgument(name, items, 'an array (a single text goes in brackets: [text])');
  }
  return items;
}

function checkIds(sequence: ArrayLike<number>, name: string): ArrayLike<number> {
  if (sequence === null || typeof sequence !== 'object' || typeof sequence.length !== 'number') {
    throw invalidArgument(name, sequence, 'an array of integer ids');
  }
  for (let j = 0; j < sequence.length; j++) {
    if (typeof sequence[j] !== 'number') {
      throw invalidArgument(`${name}[${j}]`, sequence[j], 'an integer id');
    }
  }
  return sequence;
}
