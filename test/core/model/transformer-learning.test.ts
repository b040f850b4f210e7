import { describe, expect, it } from 'vitest';
import { trainTransformerTask } from './transformer-task.js';

// Measured (wasm): reverse 4-8 symbols, 5,000 rows x 6 epochs, exact match 0.985 (3,000 x 8 gave
// 0.815 to 0.99 depending on the symbol ids: too close to the floor to be a fair test).
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
});
