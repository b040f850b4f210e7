import { describe, expect, it } from 'vitest';
import { trainTransformerTask } from './transformer-task.js';

// Measured (wasm): reverse 4-8 symbols, 5,000 rows x 6 epochs, exact match 0.985 (3,000 x 8 gave
// 0.815 to 0.99 depending on the symbol ids: too close to the floor to be a fair test).
// Sort 4-8 symbols (repeats allowed), 5,000 rows x 16 epochs with the warm-up schedule, exact match
// on 500 held-out rows, per seed pair (weights/shuffle, training rows): 0.986 for this test's 7/1
// and `sort-train`; 0.99, 0.982, 0.998, 0.998, 0.99, 0.99 for 8/2 ... 13/7 and other rows (>= 0.972
// after epochs 12, 14 and 16 for all seven). Keras' Adam without label smoothing ended at 0.996-1
// but fell to 0.874 at epoch 12 for one seed pair. With a constant rate of 0.005 it was 0.955 on
// 4-6 symbols with this test's seeds, 0.94 with others, 0.954 on 4-8. Exact match swings by up to
// 0.1 from one epoch to the next at a constant rate, and until epoch ~10 with the decaying one. Its
// errors: a repeated symbol written once too often or too rarely.
describe('learning: a small Transformer', () => {
  it('reverses 4-8 symbols to >= 95% exact match on held-out rows', async () => {
    const result = await trainTransformerTask('reverse', {
      minLength: 4,
      maxLength: 8,
      rows: 5000,
      epochs: 6,
    });
    console.log(`Transformer reverse: ${JSON.stringify(result)}`);
    expect(result.leaked).toBe(0);
    expect(result.exactMatch).toBeGreaterThanOrEqual(0.95);
  }, 300_000);

  it('sorts 4-8 symbols to >= 95% exact match on held-out rows', async () => {
    const result = await trainTransformerTask('sort', {
      minLength: 4,
      maxLength: 8,
      rows: 5000,
      epochs: 16,
      heldOut: 500,
      // The paper's Adam beta2 and epsilon, label smoothing and warm-up (Vaswani et al. 2017, 5.3
      // and 5.4), with a short warm-up and a factor that bring the rate from a peak of 0.0035 at
      // step 100 down to 0.001 at the last of the 1,264 steps.
      training: {
        adam: { beta2: 0.98, epsilon: 1e-9 },
        labelSmoothing: 0.1,
        learningRateSchedule: { kind: 'warmup', warmupSteps: 100, dModel: 32, factor: 0.2 },
      },
    });
    console.log(`Transformer sort: ${JSON.stringify(result)}`);
    expect(result.leaked).toBe(0);
    expect(result.exactMatch).toBeGreaterThanOrEqual(0.95);
  }, 300_000);
});
