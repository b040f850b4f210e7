import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readNpy, readNpz } from '../../../packages/core/src/datasets/npz.js';
import { FIXTURES } from './fixtures.js';

// Both files are written by numpy (make-fixtures.py); the values below are the ones it was given.
const read = (name: string) => readFileSync(join(FIXTURES, name));

describe('readNpz', () => {
  it('reads integer arrays of every width, with their shape', () => {
    const arrays = readNpz(read('dtypes.npz'));
    for (const name of ['i1', 'i2', 'i4', 'i8']) {
      const array = arrays.get(name)!;
      expect(array.kind).toBe('int');
      expect(array.shape).toEqual([6]);
      expect(Array.from(array.data as Int32Array)).toEqual([0, 1, -2, 100, -128, 127]);
    }
    expect(Array.from(arrays.get('u1')!.data as Int32Array)).toEqual([0, 1, 255]);
    const matrix = arrays.get('matrix')!;
    expect(matrix.shape).toEqual([2, 3]);
    expect(Array.from(matrix.data as Int32Array)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reads pickled object arrays of lists (Keras imdb.npz layout), deflated', () => {
    const arrays = readNpz(read('tiny/imdb.npz'));
    expect([...arrays.keys()].sort()).toEqual(['x_test', 'x_train', 'y_test', 'y_train']);
    const x = arrays.get('x_train')!;
    expect(x.kind).toBe('lists');
    expect(x.shape).toEqual([5]);
    // train/pos/0_9.txt ranked by tiny/imdb_word_index.json: "a great film i loved it br br ..."
    expect((x.data as number[][])[0]).toEqual([7, 1, 4, 13, 14, 8, 5, 5, 15, 9, 1, 1]);
    expect(Array.from(arrays.get('y_train')!.data as Int32Array)).toEqual([1, 1, 1, 0, 0]);
  });

  it('reads object arrays pickled with protocol 2 (Python 2 era files)', () => {
    const x = readNpz(read('pickle2.npz')).get('x')!;
    expect(x.data).toEqual([[1, 2, 3], [], [70000, 5]]);
  });

  it('refuses what it cannot represent, naming the array', () => {
    const members = unzipSync(read('bad-dtypes.npz'));
    expect(() => readNpy(members['float.npy']!, 'float')).toThrow(
      'float has dtype <f8; only little-endian integers are read',
    );
    expect(() => readNpy(members['bigendian.npy']!, 'bigendian')).toThrow(
      'bigendian has dtype >i4; only little-endian integers are read',
    );
    expect(() => readNpy(members['huge.npy']!, 'huge')).toThrow(
      'huge[1] = 1099511627776 does not fit in int32',
    );
    expect(() => readNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 'junk')).toThrow(
      'junk is not a .npy array (bad magic)',
    );
  });

  it('refuses a truncated archive', () => {
    expect(() => readNpz(read('broken-npz/imdb.npz'))).toThrow();
  });
});
