import { EncdecError, type KerasTokenizerJson, Tokenizer, type TokenizerText } from '@encdec/core';
import { describe, expect, it } from 'vitest';
import { readKerasFixture, type TokenizerCase, tokenizerOptions } from './keras-fixtures.js';

const { cases } = readKerasFixture<{ cases: TokenizerCase[] }>('tokenizer.json');
const named = cases.map((c) => [c.name, c] as const);

function fitted(c: TokenizerCase): Tokenizer {
  const tokenizer = new Tokenizer(tokenizerOptions(c.kwargs));
  for (const step of c.steps) {
    if (step.op === 'fit') tokenizer.fitOnTexts(step.data as TokenizerText[]);
    else tokenizer.fitOnSequences(step.data as number[][]);
  }
  return tokenizer;
}

/** A dictionary string of the Keras file, as sorted entries (for dictionaries Python fills from a set). */
function sortedEntries(json: string): [string, unknown][] {
  return Object.entries(JSON.parse(json) as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
}

describe('Tokenizer matches Keras Tokenizer', () => {
  it.each(named)('%s: learned state', (_name, c) => {
    const tokenizer = fitted(c);
    expect([...tokenizer.wordIndex]).toEqual(c.expected.word_index);
    expect([...tokenizer.indexWord]).toEqual(c.expected.index_word);
    expect([...tokenizer.wordCounts]).toEqual(c.expected.word_counts);
    expect(Object.fromEntries(tokenizer.wordDocs)).toEqual(c.expected.word_docs);
    expect([...tokenizer.indexDocs].sort((a, b) => a[0] - b[0])).toEqual(c.expected.index_docs);
    expect(tokenizer.documentCount).toBe(c.expected.document_count);
  });

  it.each(named)('%s: conversions', (_name, c) => {
    const tokenizer = fitted(c);
    expect(tokenizer.textsToSequences(c.texts)).toEqual(c.expected.texts_to_sequences);
    expect(tokenizer.sequencesToTexts(c.sequences)).toEqual(c.expected.sequences_to_texts);
  });

  it.each(named)('%s: toJSON has the layout of Keras to_json', (_name, c) => {
    const ours = JSON.parse(JSON.stringify(fitted(c))) as KerasTokenizerJson;
    const keras = JSON.parse(c.expected.to_json) as KerasTokenizerJson;
    expect(Object.keys(ours)).toEqual(Object.keys(keras));
    expect(Object.keys(ours.config)).toEqual(Object.keys(keras.config));
    const { word_docs, index_docs, ...rest } = ours.config;
    const { word_docs: kerasWordDocs, index_docs: kerasIndexDocs, ...kerasRest } = keras.config;
    // Byte-identical dictionaries, in the same order...
    expect(rest).toEqual(kerasRest);
    // ...except the two Keras fills by iterating a Python set, whose order is the hash order.
    expect(sortedEntries(word_docs)).toEqual(sortedEntries(kerasWordDocs));
    expect(sortedEntries(index_docs)).toEqual(sortedEntries(kerasIndexDocs));
  });

  it.each(named)('%s: a tokenizer saved by Keras loads and converts the same', (_name, c) => {
    const loaded = Tokenizer.fromJSON(c.expected.to_json);
    expect([...loaded.wordIndex]).toEqual(c.expected.word_index);
    expect([...loaded.indexWord]).toEqual(c.expected.index_word);
    expect([...loaded.wordCounts]).toEqual(c.expected.word_counts);
    expect(loaded.documentCount).toBe(c.expected.document_count);
    expect(loaded.textsToSequences(c.texts)).toEqual(c.expected.texts_to_sequences);
    expect(loaded.sequencesToTexts(c.sequences)).toEqual(c.expected.sequences_to_texts);
  });
});

describe('Tokenizer, computed by hand', () => {
  it('ranks by count, ties by first appearance; oov at 1; numWords keeps indices < numWords', () => {
    // Counts: b 2, a 2, c 2, d 1 -> b, a, c, d after <unk>: <unk> 1, b 2, a 3, c 4, d 5.
    const tokenizer = new Tokenizer({ oovToken: '<unk>', numWords: 3 });
    tokenizer.fitOnTexts(['b a c', 'c b a', 'd']);
    expect([...tokenizer.wordIndex]).toEqual([
      ['<unk>', 1],
      ['b', 2],
      ['a', 3],
      ['c', 4],
      ['d', 5],
    ]);
    // a (3) and c (4) are >= numWords, z is unknown: all three become <unk>.
    expect(tokenizer.textsToSequences(['a b c z'])).toEqual([[1, 2, 1, 1]]);
    expect(tokenizer.sequencesToTexts([[2, 3, 0]])).toEqual(['b <unk> <unk>']);
  });

  it('drops unknown words without an oov token', () => {
    const tokenizer = new Tokenizer().fitOnTexts(['x y y']);
    expect(tokenizer.textsToSequences(['y z x'])).toEqual([[1, 2]]);
    expect(tokenizer.sequencesToTexts([new Int32Array([0, 2, 1, 7])])).toEqual(['x y']);
  });

  it('accepts any iterable of texts', () => {
    function* texts() {
      yield 'one two';
      yield 'two';
    }
    const tokenizer = new Tokenizer().fitOnTexts(texts());
    expect(tokenizer.documentCount).toBe(2);
    expect(tokenizer.wordIndex.get('two')).toBe(1);
  });

  it('never mutates its input', () => {
    const texts = [['Hello', 'World'], 'Some Text'];
    const copy = structuredClone(texts);
    const tokenizer = new Tokenizer().fitOnTexts(texts);
    tokenizer.textsToSequences(texts);
    expect(texts).toEqual(copy);
  });

  it('is left unchanged by a fit that fails on a bad text', () => {
    const tokenizer = new Tokenizer().fitOnTexts(['a b']);
    const before = tokenizer.toJSON();
    expect(() => tokenizer.fitOnTexts(['c d', 7 as never])).toThrow('texts[1]');
    expect(tokenizer.toJSON()).toEqual(before);
  });

  it('keeps words that JS objects would reorder (integer-like keys) in first-appearance order', () => {
    const tokenizer = new Tokenizer().fitOnTexts(['zoo 1984 7', '7 1984 zoo']);
    expect([...tokenizer.wordIndex.keys()]).toEqual(['zoo', '1984', '7']);
    const loaded = Tokenizer.fromJSON(JSON.stringify(tokenizer));
    expect([...loaded.wordCounts.keys()]).toEqual(['zoo', '1984', '7']);
    expect(loaded.toJSON().config.word_index).toBe('{"zoo": 1, "1984": 2, "7": 3}');
  });
});

describe('Tokenizer JSON round trip', () => {
  it.each(named)('%s', (_name, c) => {
    const original = fitted(c);
    const loaded = Tokenizer.fromJSON(JSON.stringify(original));
    expect(loaded.toJSON()).toEqual(original.toJSON());
    expect(loaded.toJSON()).toEqual(Tokenizer.fromJSON(original.toJSON()).toJSON());
    // Both keep learning the same way (a tokenizer Keras loads from JSON cannot: KeyError).
    const more = ['the new words, and the old: cat cat', 'Zebra'];
    expect(loaded.fitOnTexts(more).toJSON()).toEqual(original.fitOnTexts(more).toJSON());
  });
});

describe('Tokenizer errors', () => {
  const keras = cases[0]!.expected.to_json;
  const withConfig = (patch: Record<string, unknown>) => {
    const json = JSON.parse(keras);
    Object.assign(json.config, patch);
    return JSON.stringify(json);
  };
  const calls: [string, () => unknown, string][] = [
    [
      'numWords -1',
      () => new Tokenizer({ numWords: -1 }),
      'numWords must be a non-negative integer or null, got -1.',
    ],
    [
      'numWords 2.5',
      () => new Tokenizer({ numWords: 2.5 }),
      'numWords must be a non-negative integer or null, got 2.5.',
    ],
    [
      'empty split',
      () => new Tokenizer({ split: '' }),
      'split must be a non-empty string, got "".',
    ],
    [
      'filters not a string',
      () => new Tokenizer({ filters: 5 as never }),
      'filters must be a string, got 5.',
    ],
    [
      'oovToken not a string',
      () => new Tokenizer({ oovToken: 1 as never }),
      'oovToken must be a string or null, got 1.',
    ],
    [
      'charLevel not a boolean',
      () => new Tokenizer({ charLevel: 1 as never }),
      'charLevel must be a boolean, got 1.',
    ],
    [
      'one text, not a list',
      () => new Tokenizer().fitOnTexts('a text' as never),
      'texts must be an array (a single text goes in brackets: [text]), got "a text".',
    ],
    [
      'a text that is a number',
      () => new Tokenizer().fitOnTexts(['a', 3 as never]),
      'texts[1] must be a string or string[], got 3.',
    ],
    [
      'a token that is a number',
      () => new Tokenizer().fitOnTexts([['a', 3 as never]]),
      'texts[0][1] must be a string, got 3.',
    ],
    [
      'an id that is a string',
      () => new Tokenizer().sequencesToTexts([[1, '2' as never]]),
      'sequences[0][1] must be an integer id, got "2".',
    ],
    [
      'oov before fitting',
      () => new Tokenizer({ oovToken: '<unk>' }).textsToSequences(['a']),
      'Tokenizer.textsToSequences: oovToken is set but has no index yet; call fitOnTexts (or load with Tokenizer.fromJSON) first.',
    ],
    [
      'JSON that is not JSON',
      () => Tokenizer.fromJSON('{nope'),
      'Tokenizer JSON: json must be the JSON text of a Keras tokenizer, got "{nope".',
    ],
    [
      'JSON of another class',
      () => Tokenizer.fromJSON('{"class_name": "Layer", "config": {}}'),
      'Tokenizer JSON: class_name must be "Tokenizer", got "Layer".',
    ],
    [
      'JSON with an unknown key',
      () => Tokenizer.fromJSON(withConfig({ nb_words: 3 })),
      'Tokenizer JSON: config.nb_words must be absent, got 3.',
    ],
    [
      'JSON with a dictionary that is no string',
      () => Tokenizer.fromJSON(withConfig({ word_index: { a: 1 } })),
      'Tokenizer JSON: config.word_index must be a JSON object in a string, got {"a":1}.',
    ],
    [
      'JSON with a fractional count',
      () => Tokenizer.fromJSON(withConfig({ word_counts: '{"a": 1.5}' })),
      'Tokenizer JSON: config.word_counts must be integer values, got 1.5.',
    ],
    [
      'JSON with a bad index key',
      () => Tokenizer.fromJSON(withConfig({ index_word: '{"x": "a"}' })),
      'Tokenizer JSON: config.index_word must be integer keys, got "x".',
    ],
    [
      'JSON with a bad setting',
      () => Tokenizer.fromJSON(withConfig({ num_words: 'all' })),
      'numWords must be a non-negative integer or null, got "all".',
    ],
  ];
  it.each(calls)('%s', (_name, call, message) => {
    expect(call).toThrow(EncdecError);
    expect(call).toThrow(message);
  });

  it('accepts the analyzer: null of newer tf.keras files', () => {
    expect(Tokenizer.fromJSON(withConfig({ analyzer: null })).wordIndex.get('the')).toBe(1);
  });
});
