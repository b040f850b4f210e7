/**
 * The attention layer and the file handler on the `wasm` backend give what they give on `cpu`:
 * forward outputs, gradients, and a model saved on one backend loads on the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATTENTION_KINDS, type AttentionKind, createAttentionLayer } from '@encdec/core';
import { fileHandler } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'encdec-attention-backends-'));
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await tf.setBackend('cpu');
});

function model(kind: AttentionKind): tf.LayersModel {
  const query = tf.input({ shape: [2, 3] });
  const values = tf.input({ shape: [4, 3] });
  const mask = tf.input({ shape: [4] });
  const outputs = createAttentionLayer({ kind, units: 5 }).apply([
    query,
    values,
    mask,
  ]) as tf.SymbolicTensor[];
  return tf.model({ inputs: [query, values, mask], outputs });
}

/** Outputs and the gradient of sum(context) + sum(weights^2) w.r.t. every weight and input. */
function run(m: tf.LayersModel): number[][] {
  return tf.tidy(() => {
    const q = tf.tensor3d([
      [
        [0.1, -0.2, 0.3],
        [0.4, 0.0, -0.1],
      ],
    ]);
    const v = tf.tensor3d([
      [
        [0.2, 0.1, -0.3],
        [-0.4, 0.5, 0.2],
        [0.3, -0.1, 0.1],
        [0.0, 0.2, 0.4],
      ],
    ]);
    const mask = tf.tensor2d([[1, 1, 1, 0]]);
    const f = (q: tf.Tensor, v: tf.Tensor) => {
      const [context, weights] = m.apply([q, v, mask]) as tf.Tensor[];
      return tf.add(tf.sum(context), tf.sum(tf.square(weights))) as tf.Scalar;
    };
    const [context, weights] = m.predict([q, v, mask]) as tf.Tensor[];
    // dot and scaledDot have no weights, and variableGrads refuses an empty list.
    const grads = m.trainableWeights.length > 0 ? tf.variableGrads(() => f(q, v)).grads : {};
    const inputGrads = tf.grads(f)([q, v]);
    return [context, weights, ...Object.values(grads), ...inputGrads].map((t) =>
      Array.from(t.dataSync()),
    );
  });
}

describe('AttentionLayer on wasm', () => {
  for (const kind of ATTENTION_KINDS) {
    it(`${kind}: same outputs and gradients as cpu; saved on cpu, loads on wasm`, async () => {
      await tf.setBackend('cpu');
      const m = model(kind);
      const onCpu = run(m);
      const dir = join(tmp, kind);
      await m.save(fileHandler(dir));
      expect(await tf.setBackend('wasm')).toBe(true);
      expect(tf.getBackend()).toBe('wasm');
      const before = tf.memory().numTensors;
      const onWasm = run(m);
      expect(tf.memory().numTensors).toBe(before);
      expect(onWasm.length).toBe(onCpu.length);
      onWasm.forEach((values, i) => {
        values.forEach((x, j) => {
          expect(Math.abs(x - onCpu[i][j])).toBeLessThan(1e-5);
        });
      });
      const loaded = await tf.loadLayersModel(fileHandler(dir));
      expect(run(loaded).slice(0, 2)).toEqual(onWasm.slice(0, 2));
      loaded.dispose();
    });
  }
});
