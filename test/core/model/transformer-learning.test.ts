import { describe, expect, it } from 'vitest';
import { trainTransformerTask } from './transformer-task.js';

// Measured (wasm, 2 shared cores under load): reverse 4-8 symbols, exact match 0.99.
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
});
