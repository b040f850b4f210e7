/**
 * MultiHeadAttentionLayer and PositionalEncodingLayer on the `wasm` backend give what they give on
 * `cpu` (outputs and gradients w.r.t. every weight), and a model saved on one loads on the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MultiHeadAttentionLayer, PositionalEncodingLayer } from '@encdec/core';
import { fileHandler } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAllClose } from '../backend/expect-close.js';

const tmp = mkdtempSync(join(tmpdir(), 'encdec-mha-backends-'));
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await tf.setBackend('cpu');
});

/** A tiny decoder-style block: learned positions, causal self-attention, then cross-attention. */
function model(): tf.LayersModel {
  const target = tf.input({ shape: [3, 4] });
  const source = tf.input({ shape: [5, 4] });
  const mask = tf.input({ shape: [5] });
  const x = new PositionalEncodingLayer({ kind: 'learned', maxLength: 6, seed: 1 }).apply(
    target,
  ) as tf.SymbolicTensor;
  const [self] = new MultiHeadAttentionLayer({ numHeads: 2, causal: true, seed: 2 }).apply([
    x,
    x,
  ]) as tf.SymbolicTensor[];
  const outputs = new MultiHeadAttentionLayer({ numHeads: 4, keyDim: 2, seed: 3 }).apply([
    self!,
    source,
    mask,
  ]) as tf.SymbolicTensor[];
  return tf.model({ inputs: [target, source, mask], outputs });
}

/** Outputs, then the gradient of sum(output) + sum(weights^2) w.r.t. every weight. */
function run(m: tf.LayersModel): number[][] {
  const tensors = tf.tidy(() => {
    const target = tf.tensor3d(
      [0.1, -0.2, 0.3, 0.4, 0.0, -0.1, 0.2, 0.5, -0.3, 0.1, 0.2, 0.0],
      [1, 3, 4],
    );
    const source = tf.tensor3d(
      Array.from({ length: 20 }, (_, i) => Math.sin(i)),
      [1, 5, 4],
    );
    const mask = tf.tensor2d([[1, 1, 1, 1, 0]]);
    const outputs = m.predict([target, source, mask]) as tf.Tensor[];
    const { grads } = tf.variableGrads(() => {
      const [output, weights] = m.apply([target, source, mask]) as tf.Tensor[];
      return tf.add(tf.sum(output!), tf.sum(tf.square(weights!))) as tf.Scalar;
    });
    return [...outputs, ...Object.values(grads)];
  });
  const values = tensors.map((t) => Array.from(t.dataSync()));
  tf.dispose(tensors);
  return values;
}

describe('multi-head attention layers on wasm', () => {
  it('same outputs and gradients as cpu; saved on cpu, loads on wasm', async () => {
    await tf.setBackend('cpu');
    const m = model();
    const onCpu = run(m);
    // 2 outputs and 1 + 8 + 8 weights.
    expect(onCpu.length).toBe(2 + 17);
    const dir = join(tmp, 'block');
    await m.save(fileHandler(dir));
    expect(await tf.setBackend('wasm')).toBe(true);
    const before = tf.memory().numTensors;
    const onWasm = run(m);
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, values] of onWasm.entries()) expectAllClose(values, onCpu[i]!, 1e-5);
    const loaded = await tf.loadLayersModel(fileHandler(dir));
    expect(run(loaded).slice(0, 2)).toEqual(onWasm.slice(0, 2));
    loaded.dispose();
    m.dispose();
  });
});
