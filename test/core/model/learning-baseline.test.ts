import { describe, expect, it } from 'vitest';
import { trainReverse } from './reverse-task.js';

// The same model, data and budget as learning.test.ts without attention: the final state alone
// cannot carry 10-15 tokens after 4 epochs. learning.test.ts requires >= 0.95 with attention.
describe('learning: reverse 10-15 tokens', () => {
  it('without attention, stays far below the attention model', async () => {
    const result = await trainReverse('none');
    console.log(`attention 'none': ${JSON.stringify(result)}`);
    expect(result.leaked).toBe(0);
    expect(result.exactMatch).toBeLessThan(0.2);
    expect(result.trainAccuracy).toBeLessThan(0.8);
  }, 300_000);
});
