/**
 * The fused Adam optimizer (one `EncdecAdam` kernel a variable) against TF.js's `tf.train.adam`
 * on the same variables and gradients, on cpu and wasm: the weights, both moments and the running
 * powers are the same to the bit after several steps, with Keras' and Vaswani et al.'s
 * hyperparameters and a learning rate changed between steps (as a warm-up schedule and
 * reduceLrOnPlateau change it); its state saves and restores through the saved-model format and
 * the steps after a reload are the same as without one; no tensors leak.
 */
import { initBackend } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, it } from 'vitest';
import { ADAM } from '../../../packages/core/src/backend/kernels/adam.js';
import {
  encodeOptimizerState,
  restoreOptimizerState,
} from '../../../packages/core/src/save/optimizer-state.js';
import { FusedAdamOptimizer } from '../../../packages/core/src/train/fused-adam.js';
import { setLearningRate } from '../../../packages/core/src/train/learning-rate-schedule.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

// Sizes around the wasm module's 4-wide steps (35 and 3 leave a tail), and a scalar.
const SHAPES: number[][] = [[7, 5], [3, 64], [3], []];
const RATES = [1e-3, 3e-3, 2.5e-4, 7e-3, 1e-3, 5e-4];

/** Gradients of step `step`, the same for both optimizers: normal, with some tiny and huge. */
function gradients(names: string[], step: number): { name: string; tensor: tf.Tensor }[] {
  const random = seedrandom(`grad-${step}`);
  return names.map((name, i) => {
    const size = SHAPES[i]!.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: size }, (_, j) => {
      const u = random() * 2 - 1;
      return j % 11 === 3 ? u * 1e-6 : j % 13 === 5 ? u * 1e3 : u;
    });
    return { name, tensor: tf.tensor(values, SHAPES[i]!) };
  });
}

/** Variables with the same start on each call, named `${prefix}/${i}`. */
function variables(prefix: string): tf.Variable[] {
  const random = seedrandom('start');
  return SHAPES.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: size }, () => random() - 0.5);
    return tf.tidy(() => tf.variable(tf.tensor(values, shape), true, `${prefix}/${i}`));
  });
}

/** Every value the optimizer leaves behind: weights, then its own state (moments, powers). */
async function snapshot(vars: tf.Variable[], optimizer: tf.Optimizer): Promise<number[][]> {
  const state = await optimizer.getWeights();
  const fields = optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
  const all = [...vars, ...state.map((s) => s.tensor), fields.accBeta1, fields.accBeta2];
  const out = all.map((t) => Array.from(t.dataSync()));
  tf.dispose(state[0]!.tensor); // the step count, a new scalar
  return out;
}

/** `steps` updates of `optimizer` on `vars` from step `from`, with the rate RATES[step]. */
function train(optimizer: tf.Optimizer, vars: tf.Variable[], from: number, steps: number): void {
  for (let step = from; step < from + steps; step++) {
    setLearningRate(optimizer, RATES[step % RATES.length]!);
    const grads = gradients(
      vars.map((v) => v.name),
      step,
    );
    optimizer.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
  }
}

const HYPERS = [
  { label: "Keras' defaults", beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  { label: 'beta2 0.98, epsilon 1e-9', beta1: 0.9, beta2: 0.98, epsilon: 1e-9 },
];

let id = 0;

describe.each(['cpu', 'wasm'])('FusedAdamOptimizer on %s', (backend) => {
  it.each(HYPERS)('equals tf.train.adam to the bit over 6 steps ($label)', async (hyper) => {
    await initBackend({ backend: backend as 'cpu' | 'wasm', log: null });
    const before = tf.memory().numTensors;
    const { beta1, beta2, epsilon } = hyper;
    const stockVars = variables(`stock${id}`);
    const fusedVars = variables(`fused${id++}`);
    const stock = tf.train.adam(1e-3, beta1, beta2, epsilon);
    const fused = new FusedAdamOptimizer(1e-3, beta1, beta2, epsilon);
    train(stock, stockVars, 0, 6);
    const profile = await tf.profile(() => train(fused, fusedVars, 0, 6));
    expect(profile.kernelNames).toContain(ADAM);
    expect(profile.kernelNames).not.toContain('Sqrt');
    const expected = await snapshot(stockVars, stock);
    const got = await snapshot(fusedVars, fused);
    expect(got).toEqual(expected);
    expect(fused.iterations).toBe(6);
    expect(fused.getClassName()).toBe('Adam');
    tf.dispose([...stockVars, ...fusedVars]);
    stock.dispose();
    fused.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saves and restores its state: the steps after a reload are the same', async () => {
    await initBackend({ backend: backend as 'cpu' | 'wasm', log: null });
    const before = tf.memory().numTensors;
    const straightVars = variables(`straight${id}`);
    const reloadVars = variables(`reload${id++}`);
    const straight = new FusedAdamOptimizer(1e-3, 0.9, 0.98, 1e-9);
    const first = new FusedAdamOptimizer(1e-3, 0.9, 0.98, 1e-9);
    train(straight, straightVars, 0, 5);
    train(first, reloadVars, 0, 3);
    const saved = await encodeOptimizerState(first);
    first.dispose();
    const second = new FusedAdamOptimizer(1e-3, 0.9, 0.98, 1e-9);
    await restoreOptimizerState(second, saved);
    expect(second.iterations).toBe(3);
    train(second, reloadVars, 3, 2);
    expect(await snapshot(reloadVars, second)).toEqual(await snapshot(straightVars, straight));
    tf.dispose([...straightVars, ...reloadVars]);
    straight.dispose();
    second.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('FusedAdamOptimizer without the kernel', () => {
  it("falls back to TF.js's update, with the same result", async () => {
    await initBackend({ backend: 'cpu', log: null });
    const before = tf.memory().numTensors;
    const kernel = tf.getKernel(ADAM, 'cpu')!;
    const stockVars = variables(`fallbackStock${id}`);
    const fusedVars = variables(`fallback${id++}`);
    const stock = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
    const fused = new FusedAdamOptimizer(1e-3, 0.9, 0.999, 1e-7);
    tf.unregisterKernel(ADAM, 'cpu');
    try {
      train(stock, stockVars, 0, 2);
      const profile = await tf.profile(() => train(fused, fusedVars, 0, 2));
      expect(profile.kernelNames).not.toContain(ADAM);
    } finally {
      tf.registerKernel(kernel);
    }
    expect(await snapshot(fusedVars, fused)).toEqual(await snapshot(stockVars, stock));
    tf.dispose([...stockVars, ...fusedVars]);
    stock.dispose();
    fused.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
