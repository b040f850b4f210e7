import { tokenizeImdb } from '@encdec/core';
import { describe, expect, it } from 'vitest';
import { readFixture, type TinyExpected } from './fixtures.js';

const expected = readFixture<TinyExpected>('tiny/expected.json');

describe('tokenizeImdb', () => {
  // Tokens computed by make-fixtures.py with Python's str.translate + split(' ').
  it.each(Object.entries(expected.tokens))('matches the Python reference on %s', (name, tokens) => {
    expect(tokenizeImdb(expected.texts[name]!)).toEqual(tokens);
  });

  it('follows the Keras word index conventions (by hand, from imdb_word_index.json)', () => {
    // "br" is rank 7 because of <br />; "don't" and "it's" are words; "co-star" is not.
    expect(tokenizeImdb('It\'s <br /><br />a CO-STAR, don\'t... "Teachers"!')).toEqual([
      "it's",
      'br',
      'br',
      'a',
      'co',
      'star',
      "don't",
      'teachers',
    ]);
    // Only ASCII letters are lowercased: the index holds "Ángela" and "amÉlie" as is.
    expect(tokenizeImdb('ÁNGELA amÉlie')).toEqual(['Ángela', 'amÉlie']);
    // Separators are Keras' filters and the space: U+00A0 and U+0096 stay inside words.
    expect(tokenizeImdb('the\u00a0end \u0096 fin\ttab\nline\rcr')).toEqual([
      'the\u00a0end',
      '\u0096',
      'fin',
      'tab',
      'line\rcr',
    ]);
  });

  it('gives no word for empty or separator-only text', () => {
    expect(tokenizeImdb('')).toEqual([]);
    expect(tokenizeImdb(' ...  !!! ')).toEqual([]);
  });
});
