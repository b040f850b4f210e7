import { describe, expect, it } from 'vitest';
import { trainTransformerTask } from './transformer-task.js';

// Measured (wasm), exact match on 500 held-out rows per seed pair (weights/shuffle, training rows).
// Both tasks train with the paper's Adam (beta2 0.98, epsilon 1e-9), label smoothing 0.1 and the
// warm-up schedule (Vaswani et al. 2017, 5.3 and 5.4), with a short warm-up and a factor that take
// the rate from a peak of 0.0035 at step 100 down to ~0.001 at the end:
// - reverse 4-8 symbols, 5,000 rows x 12 epochs: 0.998 for this test's 7/1 and `reverse-train`;
//   1, 1, 1 for 8/2, 9/3, 10/4 and other rows (>= 0.99 after epochs 10 and 12 for all four).
//   With Adam at a constant 0.005 (Keras' betas, no smoothing) it swung between epochs: 0.96-0.98
//   after 6 epochs, 0.932-0.998 after 8.
// - sort 4-8 symbols (repeats allowed), 5,000 rows x 16 epochs: 0.986-0.994 for this test's 7/1 and
//   `sort-train`; 0.99, 0.982, 0.998, 0.998, 0.99, 0.99 for 8/2 ... 13/7 and other rows (>= 0.972
//   after epochs 12, 14 and 16 for all seven). Keras' Adam without label smoothing ended at
//   0.996-1 but fell to 0.874 at epoch 12 for one seed pair; at a constant 0.005 it was 0.954. Its
//   errors: a repeated symbol written once too often or too rarely.
const PAPER_TRAINING = {
  adam: { beta2: 0.98, epsilon: 1e-9 },
  labelSmoothing: 0.1,
  learningRateSchedule: { kind: 'warmup', warmupSteps: 100, dModel: 32, factor: 0.2 },
} as const;

describe('learning: a small Transformer', () => {
  const tasks = [
    { does: 'reverses', task: 'reverse', epochs: 12 },
    { does: 'sorts', task: 'sort', epochs: 16 },
  ] as const;
  for (const { does, task, epochs } of tasks) {
    it(`${does} 4-8 symbols to >= 95% exact match on held-out rows`, async () => {
      const result = await trainTransformerTask(task, {
        minLength: 4,
        maxLength: 8,
        rows: 5000,
        epochs,
        heldOut: 500,
        training: PAPER_TRAINING,
      });
      console.log(`Transformer ${task}: ${JSON.stringify(result)}`);
      expect(result.leaked).toBe(0);
      expect(result.exactMatch).toBeGreaterThanOrEqual(0.95);
    }, 300_000);
  }
});
