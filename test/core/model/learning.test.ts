import { describe, expect, it } from 'vitest';
import { trainReverse } from './reverse-task.js';

// Measured (wasm): exact match 0.96; learning-baseline.test.ts trains
// the same model without attention on the same budget: exact match 0.
describe('learning: reverse 10-15 tokens', () => {
  it('with dot attention, reaches >= 95% exact match on held-out sequences', async () => {
    const result = await trainReverse('dot');
    console.log(`attention 'dot': ${JSON.stringify(result)}`);
    expect(result.leaked).toBe(0);
    expect(result.exactMatch).toBeGreaterThanOrEqual(0.95);
  }, 300_000);
});
