import { EncdecError, KERAS_FILTERS, textToWordSequence } from '@encdec/core';
import { describe, expect, it } from 'vitest';
import { readKerasFixture } from './keras-fixtures.js';

interface WordSequenceFixtures {
  cases: {
    name: string;
    text: string;
    kwargs: { filters?: string; lower?: boolean; split?: string };
    expected: string[];
  }[];
}
const fixtures = readKerasFixture<WordSequenceFixtures>('text-to-word-sequence.json');

describe('textToWordSequence matches Keras text_to_word_sequence', () => {
  it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(textToWordSequence(c.text, c.kwargs)).toEqual(c.expected);
  });
});

describe('textToWordSequence, computed by hand', () => {
  it('has Keras default filters: ASCII punctuation but the apostrophe, plus tab and newline', () => {
    expect(KERAS_FILTERS).toBe('!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n');
    expect(KERAS_FILTERS).not.toContain("'");
  });

  it('lowers, filters, splits and drops empty words', () => {
    expect(textToWordSequence("It's a CAT -- isn't it?\tYes.")).toEqual([
      "it's",
      'a',
      'cat',
      "isn't",
      'it',
      'yes',
    ]);
  });

  it('splits on the exact separator only', () => {
    // Python's str.split(' ') keeps a no-break space and a carriage return inside words.
    expect(textToWordSequence('a\u00a0b c\rd')).toEqual(['a\u00a0b', 'c\rd']);
  });
});

describe('textToWordSequence errors', () => {
  it.each([
    [() => textToWordSequence('a b', { split: '' }), 'split must be a non-empty string, got "".'],
    [() => textToWordSequence(42 as never), 'text must be a string, got 42.'],
    [
      () => textToWordSequence('a', { filters: null as never }),
      'filters must be a string, got null.',
    ],
    [
      () => textToWordSequence('a', { lower: 'yes' as never }),
      'lower must be a boolean, got "yes".',
    ],
  ])('%#', (call, message) => {
    expect(call).toThrow(EncdecError);
    expect(call).toThrow(message);
  });
});
