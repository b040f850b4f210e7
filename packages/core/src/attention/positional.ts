/**
 * Sinusoidal positional encodings (Vaswani et al. 2017, section 3.5). Attention itself ignores the
 * order of its keys, so the Transformer adds to each embedding a vector that depends on its
 * position only:
 *
 *   PE(pos, 2i)     = sin(pos / 10000^(2i / dModel))
 *   PE(pos, 2i + 1) = cos(pos / 10000^(2i / dModel))
 *
 * Each pair of columns (2i, 2i + 1) is a rotation at its own frequency, from 1 radian per position
 * (i = 0) down to 1 / 10000, so PE(pos + k) is a linear function of PE(pos) for any fixed offset k.
 */
import * as tf from '@tensorflow/tfjs';
import { positiveInt } from '../checks.js';

/** The base of the wavelengths' geometric progression (2 pi to 10000 * 2 pi). */
const WAVELENGTH_BASE = 10000;

/**
 * The table [length, dModel] of the encodings of positions 0 .. length - 1, computed in float64
 * and rounded once to float32. An odd dModel ends with a sine column (its last index is even).
 */
export function sinusoidalPositions(length: number, dModel: number): tf.Tensor2D {
  positiveInt('length', length);
  positiveInt('dModel', dModel);
  const values = new Float32Array(length * dModel);
  for (let pos = 0; pos < length; pos++) {
    for (let col = 0; col < dModel; col++) {
      const twoI = col - (col % 2); // the 2i shared by the sine and cosine of a pair
      const angle = pos / WAVELENGTH_BASE ** (twoI / dModel);
      values[pos * dModel + col] = col % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return tf.tensor2d(values, [length, dModel]);
}
