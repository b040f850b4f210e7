/**
 * Reads numpy `.npz` archives: a zip (read with fflate) of `.npy` arrays. The `.npy` format
 * (numpy NEP 1, "A Simple File Format for NumPy Arrays"): the magic `\x93NUMPY`, a version byte
 * pair, a little-endian header length (2 bytes in version 1, 4 in versions 2 and 3), a Python dict
 * literal `{'descr': '<i8', 'fortran_order': False, 'shape': (25000,), }`, then the data. Object
 * arrays (`descr` '|O', as Keras' `imdb.npz` stores its ragged sequences) hold a pickle of the
 * array instead, read with pickleparser. Only what datasets need: 1-d arrays of integers, and
 * 1-d object arrays of lists of integers.
 */
import { unzipSync } from 'fflate';
import { NameRegistry, Parser } from 'pickleparser';

/** One array of an `.npz`: integers, or (object arrays) lists of integers. */
export type NpyArray =
  | { kind: 'int'; shape: number[]; data: Int32Array }
  | { kind: 'lists'; shape: number[]; data: number[][] };

/** Integer dtypes read into an Int32Array: bytes per element and signedness. */
const INT_DTYPES: Record<string, { size: number; signed: boolean }> = {
  b1: { size: 1, signed: false },
  i1: { size: 1, signed: true },
  u1: { size: 1, signed: false },
  i2: { size: 2, signed: true },
  u2: { size: 2, signed: false },
  i4: { size: 4, signed: true },
  u4: { size: 4, signed: false },
  i8: { size: 8, signed: true },
  u8: { size: 8, signed: false },
};

/** The arrays of an `.npz` by name (without `.npy`). Throws an Error saying what is wrong. */
export function readNpz(bytes: Uint8Array): Map<string, NpyArray> {
  const members = unzipSync(bytes);
  const arrays = new Map<string, NpyArray>();
  for (const [name, data] of Object.entries(members)) {
    if (name.endsWith('.npy')) arrays.set(name.slice(0, -4), readNpy(data, name));
  }
  return arrays;
}

/** One `.npy` array (see the format above). */
export function readNpy(bytes: Uint8Array, name = 'array'): NpyArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== '\x93NUMPY') throw new Error(`${name} is not a .npy array (bad magic)`);
  const major = bytes[6]!;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(
    bytes.subarray(headerStart, headerStart + headerLength),
  );
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${name} has an unreadable .npy header: ${header.trim()}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const body = bytes.subarray(headerStart + headerLength);
  if (descr === '|O') return { kind: 'lists', shape, data: unpickleObjectArray(body, name) };

  const dtype = INT_DTYPES[descr.slice(1)];
  if (!dtype || descr[0] === '>') {
    throw new Error(`${name} has dtype ${descr}; only little-endian integers are read`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (body.byteLength < count * dtype.size) {
    throw new Error(`${name} is truncated: ${body.byteLength} bytes for ${count} x ${descr}`);
  }
  const data = new Int32Array(count);
  const values = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let i = 0; i < count; i++) {
    const value = readInt(values, i * dtype.size, dtype.size, dtype.signed);
    if ((value | 0) !== value) throw new Error(`${name}[${i}] = ${value} does not fit in int32`);
    data[i] = value;
  }
  return { kind: 'int', shape, data };
}

function readInt(view: DataView, at: number, size: number, signed: boolean): number {
  switch (size) {
    case 1:
      return signed ? view.getInt8(at) : view.getUint8(at);
    case 2:
      return signed ? view.getInt16(at, true) : view.getUint16(at, true);
    case 4:
      return signed ? view.getInt32(at, true) : view.getUint32(at, true);
    default:
      return Number(signed ? view.getBigInt64(at, true) : view.getBigUint64(at, true));
  }
}

/**
 * A pickled 1-d object ndarray of lists of integers. numpy pickles an ndarray as
 * `_reconstruct(ndarray, (0,), b'b')` followed by BUILD with the state
 * `(version, shape, dtype, is_fortran, items)`; for object arrays `items` is a plain list.
 */
function unpickleObjectArray(body: Uint8Array, name: string): number[][] {
  class PickledArray {
    items: unknown[] = [];
    __setstate__(state: unknown[]): void {
      this.items = state[4] as unknown[];
    }
  }
  class PickledDtype {
    __setstate__(): void {}
  }
  const names = new NameRegistry();
  for (const core of ['numpy.core.multiarray', 'numpy._core.multiarray']) {
    names.register(core, '_reconstruct', () => new PickledArray());
  }
  names.register('numpy', 'ndarray', PickledArray);
  names.register('numpy', 'dtype', () => new PickledDtype());
  const array = new Parser({ nameResolver: names }).parse<unknown>(body);
  if (!(array instanceof PickledArray) || !Array.isArray(array.items)) {
    throw new Error(`${name} does not hold a pickled numpy object array`);
  }
  return array.items.map((item, i) => {
    if (!Array.isArray(item)) throw new Error(`${name}[${i}] is not a list of integers`);
    return item.map(Number);
  });
}
