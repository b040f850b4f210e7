import { EncdecError, padSequences, padSequencesFlat } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type PadFixtures, padOptions, readKerasFixture } from './keras-fixtures.js';

const fixtures = readKerasFixture<PadFixtures>('pad-sequences.json');

describe('padSequences matches Keras pad_sequences', () => {
  it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(padSequences(c.sequences, padOptions(c.kwargs))).toEqual(c.expected);
  });
});

describe('padSequencesFlat matches Keras pad_sequences', () => {
  it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const padded = padSequencesFlat(c.sequences, padOptions(c.kwargs));
    expect(padded.shape).toEqual(c.shape);
    expect(padded.dtype).toBe(c.dtype);
    expect(padded.values).toBeInstanceOf(c.dtype === 'int32' ? Int32Array : Float32Array);
    expect(Array.from(padded.values)).toEqual(c.expected.flat());
  });
});

describe('padSequences, computed by hand', () => {
  it('pre-pads and pre-truncates by default', () => {
    expect(padSequences([[1, 2, 3], [4]], { maxlen: 2 })).toEqual([
      [2, 3],
      [0, 4],
    ]);
  });

  it('post-pads and post-truncates with a custom value', () => {
    expect(
      padSequences([[1, 2, 3], [4]], { maxlen: 2, padding: 'post', truncating: 'post', value: 9 }),
    ).toEqual([
      [1, 2],
      [4, 9],
    ]);
  });

  it('takes typed-array rows and rounds float32 like Math.fround', () => {
    const rows = [new Int32Array([5, 6]), new Float64Array([0.1])];
    expect(padSequences(rows, { dtype: 'float32' })).toEqual([
      [5, 6],
      [0, Math.fround(0.1)],
    ]);
  });

  it('flat rows are views of one buffer in row order', () => {
    const { values, shape } = padSequencesFlat([[7], [8, 9, 10]], { maxlen: 3, padding: 'post' });
    expect(shape).toEqual([2, 3]);
    expect(Array.from(values.subarray(3, 6))).toEqual([8, 9, 10]);
    expect(Array.from(values.subarray(0, 3))).toEqual([7, 0, 0]);
  });

  it('builds a tensor from the flat buffer without leaking', () => {
    const before = tf.memory().numTensors;
    const { values, shape, dtype } = padSequencesFlat([[1, 2, 3], [4]], { maxlen: 3 });
    const x = tf.tensor2d(values, shape, dtype); // [numSamples, maxlen]
    expect(x.dtype).toBe('int32');
    expect(x.arraySync()).toEqual([
      [1, 2, 3],
      [0, 0, 4],
    ]);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('padSequences input', () => {
  it('is never mutated', () => {
    const sequences = [[1, 2, 3, 4], [], [5]];
    const copy = structuredClone(sequences);
    padSequences(sequences, { maxlen: 2, truncating: 'post', value: -1 });
    padSequencesFlat(sequences, { maxlen: 2, padding: 'post', dtype: 'float32' });
    expect(sequences).toEqual(copy);
  });
});

describe('padSequences where Keras fails by accident (documented differences)', () => {
  const kerasError = (name: string) => fixtures.errors.find((e) => e.name.startsWith(name))!;

  it('maxlen 0 gives empty rows for both truncating sides', () => {
    const c = kerasError('maxlen 0, pre truncating');
    expect(c.keras_error).toMatch(/could not broadcast/);
    expect(padSequences(c.sequences, padOptions(c.kwargs))).toEqual([[]]);
    expect(padSequencesFlat(c.sequences, padOptions(c.kwargs)).shape).toEqual([1, 0]);
  });

  it('no sequences and no maxlen give zero rows', () => {
    const c = kerasError('no sequences, no maxlen');
    expect(c.keras_error).toMatch(/zero-size array/);
    expect(padSequences([])).toEqual([]);
    expect(padSequencesFlat([]).shape).toEqual([0, 0]);
  });

  it('checks padding even when every sequence is empty', () => {
    expect(() => padSequences([[], []], { padding: 'middle' as never })).toThrow(
      'padding must be "pre" or "post", got "middle".',
    );
  });
});

describe('padSequences errors name the option and the value', () => {
  it.each([
    ['unknown padding', 'padding must be "pre" or "post", got "middle".'],
    ['unknown truncating', 'truncating must be "pre" or "post", got "middle".'],
    ['negative maxlen', 'maxlen must be a non-negative integer, got -1.'],
  ])('%s (Keras raises too)', (name, message) => {
    const c = fixtures.errors.find((e) => e.name === name)!;
    expect(c.keras_error).toMatch(/^ValueError/);
    expect(() => padSequences(c.sequences, padOptions(c.kwargs))).toThrow(message);
    expect(() => padSequencesFlat(c.sequences, padOptions(c.kwargs))).toThrow(message);
  });

  const cases: [string, () => unknown, string][] = [
    [
      'non-integer maxlen',
      () => padSequences([[1]], { maxlen: 1.5 }),
      'maxlen must be a non-negative integer, got 1.5.',
    ],
    [
      'bad dtype',
      () => padSequences([[1]], { dtype: 'int64' as never }),
      'dtype must be "int32" or "float32", got "int64".',
    ],
    [
      'string value',
      () => padSequences([[1]], { value: 'x' as never }),
      'value must be a number in the int32 range, got "x".',
    ],
    [
      'NaN int32 value',
      () => padSequencesFlat([[1]], { value: Number.NaN }),
      'value must be a number in the int32 range, got NaN.',
    ],
    [
      'sequences not an array',
      () => padSequences('abc' as never),
      'sequences must be an array of number sequences, got "abc".',
    ],
    [
      'a sequence that is a number',
      () => padSequences([[1], 5 as never]),
      'sequences[1] must be an array of numbers, got 5.',
    ],
    [
      'a string element',
      () => padSequences([[1, 'a' as never]]),
      'sequences[0][1] must be a number in the int32 range, got "a".',
    ],
    [
      'maxlen 2**32',
      () => padSequences([[1]], { maxlen: 2 ** 32 }),
      'maxlen must keep numSamples x maxlen within 2147483647 values (the most a TF.js tensor holds), got maxlen 4294967296 for 1 sequence.',
    ],
    [
      'maxlen 2**32, flat',
      () => padSequencesFlat([[1]], { maxlen: 2 ** 32 }),
      'got maxlen 4294967296 for 1 sequence.',
    ],
    [
      'an oversized flat output (5 x 2**30 values)',
      () => padSequencesFlat([[1], [2], [3], [4], [5]], { maxlen: 2 ** 30 }),
      'maxlen must keep numSamples x maxlen within 2147483647 values (the most a TF.js tensor holds), got maxlen 1073741824 for 5 sequences.',
    ],
    [
      'an int32 overflow',
      () => padSequencesFlat([[2 ** 31]]),
      'sequences[0][0] must be a number in the int32 range, got 2147483648.',
    ],
  ];
  it.each(cases)('%s', (_name, call, message) => {
    expect(call).toThrow(EncdecError);
    expect(call).toThrow(message);
  });

  it('accepts NaN and huge values in float32', () => {
    const [row] = padSequences([[Number.NaN, 1e40]], { dtype: 'float32' });
    expect(row![0]).toBeNaN();
    expect(row![1]).toBe(Number.POSITIVE_INFINITY);
  });
});
