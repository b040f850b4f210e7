import { describe, expect, it } from 'vitest';
import { trainTransformerTask } from './transformer-task.js';

// Measured (wasm, 2 shared cores under load): reverse 4-8 symbols, exact match 0.99; sort 4-6
// symbols, exact match 0.99 with this test's seeds (weights 7, shuffle 1), 0.99 with 8/2 and 0.94
// with 9/3 (its errors: a repeated symbol written once too often or too rarely).
describe('learning: a small Transformer', () => {
  it('reverses 4-8 symbols to >= 95% exact match on held-out rows', async () => {
    const result = await trainTransformerTask('reverse', {
      minLength: 4,
      maxLength: 8,
      rows: 3000,
      epochs: 8,
    });
    console.log(`Transformer reverse: ${JSON.stringify(result)}`);
    expect(result.leaked).toBe(0);
    expect(result.exactMatch).toBeGreaterThanOrEqual(0.95);
  }, 300_000);

  it('sorts 4-6 symbols to >= 95% exact match on held-out rows', async () => {
    const result = await trainTransformerTask('sort', {
      minLength: 4,
      maxLength: 6,
      rows: 3000,
      epochs: 12,
      // The paper's Adam beta2 and epsilon and label smoothing (Vaswani et al. 2017, 5.3 and 5.4).
      training: { adam: { beta2: 0.98, epsilon: 1e-9 }, labelSmoothing: 0.1 },
    });
    console.log(`Transformer sort: ${JSON.stringify(result)}`);
    expect(result.leaked).toBe(0);
    expect(result.exactMatch).toBeGreaterThanOrEqual(0.95);
  }, 300_000);
});
