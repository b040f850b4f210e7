import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EncdecError, Tokenizer, Vocabulary } from '@encdec/core';
import { describe, expect, it } from 'vitest';

const WORD_INDEX = { the: 1, and: 2, a: 3, movie: 4 };

describe('Vocabulary, computed by hand', () => {
  const vocabulary = new Vocabulary(WORD_INDEX);

  it('gives id = rank + 3 after the four reserved ids', () => {
    expect(vocabulary.size).toBe(8);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((id) => vocabulary.idToWord(id))).toEqual([
      '<PAD>',
      '<START>',
      '<UNK>',
      '<UNUSED>',
      'the',
      'and',
      'a',
      'movie',
    ]);
    expect(vocabulary.wordToId('movie')).toBe(7);
    expect(vocabulary.wordToId('film')).toBe(Vocabulary.UNK_ID);
    expect(vocabulary.idToWord(8)).toBeUndefined();
  });

  it('encodes a text the Keras way, <START> first', () => {
    // the movie , and a film ! -> 4 7 5 6 <UNK>
    expect(vocabulary.encode('The movie, and a film!')).toEqual([1, 4, 7, 5, 6, 2]);
    expect(vocabulary.encode('The movie, and a film!', { start: false })).toEqual([4, 7, 5, 6, 2]);
    expect(vocabulary.encode(['movie', 'Movie'], { start: false })).toEqual([7, 2]);
  });

  it('decodes ids, showing or skipping reserved ids', () => {
    const ids = [0, 0, 1, 4, 7, 2, 3];
    expect(vocabulary.decode(ids)).toBe('<PAD> <PAD> <START> the movie <UNK> <UNUSED>');
    expect(vocabulary.decode(ids, { reserved: 'skip' })).toBe('the movie <UNK>');
    expect(vocabulary.decodeWords(new Int32Array([5, 6]))).toEqual(['and', 'a']);
    expect(vocabulary.decode(vocabulary.encode('a movie and the'), { reserved: 'skip' })).toBe(
      'a movie and the',
    );
  });

  it('maps ids >= numWords to <UNK>, as imdb.load_data(num_words) does', () => {
    const small = new Vocabulary(WORD_INDEX, { numWords: 6 });
    expect(small.size).toBe(6);
    expect(small.encode('the and a movie')).toEqual([1, 4, 5, 2, 2]);
    expect(small.has('and')).toBe(true);
    expect(small.has('a')).toBe(false);
    expect(() => small.decode([6])).toThrow('ids[0] must be an integer id in [0, 6), got 6.');
  });

  it('leaves unused ids between reserved ids and words with a larger indexFrom', () => {
    const shifted = new Vocabulary(new Map([['x', 1]]), { indexFrom: 5 });
    expect(shifted.size).toBe(7);
    expect(shifted.encode('x')).toEqual([1, 6]);
    expect(shifted.decode([4, 5, 6])).toBe('<UNUSED> <UNUSED> x');
    expect(shifted.decode([4, 5, 6], { reserved: 'skip' })).toBe('x');
  });

  it('takes a fitted Tokenizer word index and its tokenize options', () => {
    const tokenizer = new Tokenizer({ filters: '', split: ',' }).fitOnTexts(['b,a,b']);
    const fromTokenizer = new Vocabulary(tokenizer.wordIndex, {
      tokenize: { filters: '', split: ',' },
    });
    expect(fromTokenizer.encode('a,b!,b', { start: false })).toEqual([5, 2, 4]);
  });

  it('never mutates the word index or the ids', () => {
    const wordIndex = { ...WORD_INDEX };
    const ids = [1, 4];
    new Vocabulary(wordIndex, { numWords: 5 }).decode(ids);
    expect(wordIndex).toEqual(WORD_INDEX);
    expect(ids).toEqual([1, 4]);
  });
});

describe('Vocabulary errors', () => {
  const calls: [string, () => unknown, string][] = [
    [
      'indexFrom 2',
      () => new Vocabulary(WORD_INDEX, { indexFrom: 2 }),
      'indexFrom must be an integer >= 3, got 2.',
    ],
    [
      'numWords 3',
      () => new Vocabulary(WORD_INDEX, { numWords: 3 }),
      'numWords must be an integer >= 4 or null, got 3.',
    ],
    [
      'word index not an object',
      () => new Vocabulary(null as never),
      'wordIndex must be an object or Map of word -> rank, got null.',
    ],
    [
      'rank 0',
      () => new Vocabulary({ a: 0 }),
      'wordIndex["a"] must be a positive integer rank, got 0.',
    ],
    [
      'shared rank',
      () => new Vocabulary({ a: 1, b: 1 }),
      'wordIndex["b"] must be a rank no other word has ("a" has it), got 1.',
    ],
    [
      'negative id',
      () => new Vocabulary(WORD_INDEX).decode([4, -1]),
      'ids[1] must be an integer id in [0, 8), got -1.',
    ],
    [
      'fractional id',
      () => new Vocabulary(WORD_INDEX).decode([1.5]),
      'ids[0] must be an integer id in [0, 8), got 1.5.',
    ],
    [
      'bad reserved',
      () => new Vocabulary(WORD_INDEX).decode([1], { reserved: 'hide' as never }),
      'reserved must be "show" or "skip", got "hide".',
    ],
    [
      'text a number',
      () => new Vocabulary(WORD_INDEX).encode(5 as never),
      'text must be a string or an array of words, got 5.',
    ],
    [
      'word a number',
      () => new Vocabulary(WORD_INDEX).encode(['a', 5 as never]),
      'text[1] must be a string, got 5.',
    ],
  ];
  it.each(calls)('%s', (_name, call, message) => {
    expect(call).toThrow(EncdecError);
    expect(call).toThrow(message);
  });
});

describe('Vocabulary on the real Keras IMDB word index', () => {
  const dataDir =
    process.env.ENCDEC_DATA_DIR ??
    fileURLToPath(new URL('../../../../shared/data/imdb', import.meta.url));
  const file = join(dataDir, 'imdb_word_index.json');

  it('has the ids of keras.datasets.imdb', () => {
    expect(existsSync(file), `IMDB word index missing at ${file} (set ENCDEC_DATA_DIR)`).toBe(true);
    const wordIndex = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
    const vocabulary = new Vocabulary(wordIndex);
    // The data README: 88,584 words, ranks 1..88584, "the" = 1, "and" = 2, "a" = 3, "br" = 7.
    expect(vocabulary.size).toBe(88584 + 4);
    expect(['the', 'and', 'a', 'br'].map((w) => vocabulary.wordToId(w))).toEqual([4, 5, 6, 10]);

    // The first review of the release, "Bromwell High is a cartoon comedy."
    const ids = vocabulary.encode('Bromwell High is a cartoon comedy.');
    expect(ids).toEqual([
      1,
      ...['bromwell', 'high', 'is', 'a', 'cartoon', 'comedy'].map((w) => wordIndex[w]! + 3),
    ]);
    expect(vocabulary.decode(ids)).toBe('<START> bromwell high is a cartoon comedy');

    const top = new Vocabulary(wordIndex, { numWords: 10000 });
    expect(top.encode('bromwell high', { start: false })).toEqual([2, wordIndex.high! + 3]);
  });
});
