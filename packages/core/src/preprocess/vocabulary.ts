/**
 * The ids of Keras-style indexed datasets (`keras.datasets.imdb`, `reuters`): a word of frequency
 * rank r (1 = most frequent, as in `imdb_word_index.json`) has id r + indexFrom, and the ids
 * below are reserved:
 *
 *   0 <PAD>     padding (`padSequences`' default value)
 *   1 <START>   marks the start of a sequence (Keras' `start_char`)
 *   2 <UNK>     a word out of the vocabulary (Keras' `oov_char`)
 *   3 <UNUSED>  never produced with the default indexFrom = 3 (the Keras/TensorFlow tutorials
 *               name it so); any other id without a word decodes to it as well
 *
 * With `numWords`, ids >= numWords become <UNK>, as `imdb.load_data(num_words=...)` does, so the
 * vocabulary has `numWords` ids. Texts are cut into words the Keras way (`textToWordSequence`).
 */
import { invalidArgument } from '../errors.js';
import {
  type TextToWordSequenceOptions,
  type WordSplitter,
  wordSplitter,
} from './text-to-word-sequence.js';

/** Options of {@link Vocabulary}. */
export interface VocabularyOptions {
  /** id = rank + indexFrom; at least 3 so that no word takes a reserved id. Default 3 (Keras'). */
  indexFrom?: number;
  /** Ids >= numWords become <UNK>; at least 4 (the reserved ids). Default: no limit. */
  numWords?: number | null;
  /** How `encode` cuts a text into words. Default: Keras' `text_to_word_sequence` defaults. */
  tokenize?: TextToWordSequenceOptions;
}

/** Options of {@link Vocabulary.encode}. */
export interface EncodeOptions {
  /** Put <START> (id 1) first, as Keras' imdb sequences have it. Default true. */
  start?: boolean;
}

/** Options of {@link Vocabulary.decode}. */
export interface DecodeOptions {
  /**
   * 'show' (default) writes every reserved id by its name (`<PAD>`, `<START>`, ...), as the Keras
   * tutorials' reverse word index does; 'skip' drops <PAD>, <START> and <UNUSED> and keeps <UNK>,
   * which stands for a real word.
   */
  reserved?: 'show' | 'skip';
}

const RESERVED = ['<PAD>', '<START>', '<UNK>', '<UNUSED>'] as const;

export class Vocabulary {
  static readonly PAD_ID = 0;
  static readonly START_ID = 1;
  static readonly UNK_ID = 2;
  static readonly UNUSED_ID = 3;
  /** Reserved ids' names, indexed by id. */
  static readonly RESERVED_TOKENS: readonly string[] = RESERVED;

  readonly indexFrom: number;
  readonly numWords: number | null;
  /** Number of ids: every id in [0, size) decodes. */
  readonly size: number;

  private readonly ids = new Map<string, number>();
  private readonly words: (string | undefined)[] = [];
  private readonly splitter: WordSplitter;

  /**
   * @param wordIndex word -> frequency rank (1-based), e.g. the parsed `imdb_word_index.json` or a
   *   fitted `Tokenizer`'s `wordIndex`.
   */
  constructor(
    wordIndex: Readonly<Record<string, number>> | ReadonlyMap<string, number>,
    options: VocabularyOptions = {},
  ) {
    const { indexFrom = 3, numWords = null } = options;
    if (!Number.isSafeInteger(indexFrom) || indexFrom < 3) {
      throw invalidArgument('indexFrom', indexFrom, 'an integer >= 3');
    }
    if (numWords !== null && (!Number.isSafeInteger(numWords) || numWords < RESERVED.length)) {
      throw invalidArgument('numWords', numWords, `an integer >= ${RESERVED.length} or null`);
    }
    if (typeof wordIndex !== 'object' || wordIndex === null || Array.isArray(wordIndex)) {
      throw invalidArgument('wordIndex', wordIndex, 'an object or Map of word -> rank');
    }
    this.indexFrom = indexFrom;
    this.numWords = numWords;
    this.splitter = wordSplitter(options.tokenize);

    const limit = numWords ?? Number.POSITIVE_INFINITY;
    let largest = RESERVED.length - 1;
    const entries = wordIndex instanceof Map ? wordIndex.entries() : Object.entries(wordIndex);
    for (const [word, rank] of entries as Iterable<[string, number]>) {
      if (!Number.isSafeInteger(rank) || rank < 1) {
        throw invalidArgument(
          `wordIndex[${JSON.stringify(word)}]`,
          rank,
          'a positive integer rank',
        );
      }
      const id = rank + indexFrom;
      if (id >= limit) continue;
      if (this.words[id] !== undefined) {
        throw invalidArgument(
          `wordIndex[${JSON.stringify(word)}]`,
          rank,
          `a rank no other word has (${JSON.stringify(this.words[id])} has it)`,
        );
      }
      this.ids.set(word, id);
      this.words[id] = word;
      if (id > largest) largest = id;
    }
    this.size = numWords ?? largest + 1;
  }

  /** The id `encode` gives `word`: its own id, or <UNK> (2) when out of the vocabulary. */
  wordToId(word: string): number {
    return this.ids.get(word) ?? Vocabulary.UNK_ID;
  }

  /** The word (or reserved name) of `id`; undefined outside [0, size). */
  idToWord(id: number): string | undefined {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) return undefined;
    return RESERVED[id] ?? this.words[id] ?? RESERVED[Vocabulary.UNUSED_ID];
  }

  /** Whether `word` has its own id (is neither unknown nor cut off by `numWords`). */
  has(word: string): boolean {
    return this.ids.has(word);
  }

  /**
   * A text (cut into words the Keras way) or a list of words -> ids, <START> first by default.
   * Words are looked up as given: the text's lower-casing (a `tokenize` option) is all there is.
   */
  encode(text: string | readonly string[], options: EncodeOptions = {}): number[] {
    const { start = true } = options;
    if (typeof start !== 'boolean') throw invalidArgument('start', start, 'a boolean');
    let words: readonly string[];
    if (typeof text === 'string') words = this.splitter.words(text);
    else if (Array.isArray(text)) words = text;
    else throw invalidArgument('text', text, 'a string or an array of words');
    const ids = start ? [Vocabulary.START_ID] : [];
    words.forEach((word, i) => {
      if (typeof word !== 'string') throw invalidArgument(`text[${i}]`, word, 'a string');
      ids.push(this.wordToId(word));
    });
    return ids;
  }

  /** Ids -> their words joined by spaces (see {@link DecodeOptions} for reserved ids). */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    return this.decodeWords(ids, options).join(' ');
  }

  /** Ids -> their words; throws on an id outside [0, size). */
  decodeWords(ids: ArrayLike<number>, options: DecodeOptions = {}): string[] {
    const { reserved = 'show' } = options;
    if (reserved !== 'show' && reserved !== 'skip') {
      throw invalidArgument('reserved', reserved, '"show" or "skip"');
    }
    if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
      throw invalidArgument('ids', ids, 'an array of integer ids');
    }
    const words: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const word = this.idToWord(id);
      if (word === undefined) {
        throw invalidArgument(`ids[${i}]`, id, `an integer id in [0, ${this.size})`);
      }
      const isWord = id >= RESERVED.length && this.words[id] !== undefined;
      if (reserved === 'skip' && !isWord && id !== Vocabulary.UNK_ID) continue;
      words.push(word);
    }
    return words;
  }
}
