/** withoutWarnings(Sync): drops only the picked warnings, and puts console.warn back, even on a throw. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withoutWarnings, withoutWarningsSync } from '../../packages/core/src/quiet-warnings.js';

const original = console.warn;
afterEach(() => {
  console.warn = original;
});

describe('withoutWarnings', () => {
  it('drops the picked warnings and passes the others, with all their arguments', async () => {
    const spy = vi.fn();
    console.warn = spy;
    const drop = (text: string) => text.startsWith('noise');
    const result = withoutWarningsSync(drop, () => {
      console.warn('noise 1');
      console.warn('signal', 2);
      console.warn({ not: 'text' });
      return 7;
    });
    await withoutWarnings(drop, async () => {
      await Promise.resolve();
      console.warn('noise 3');
      console.warn('signal 4');
    });
    expect(result).toBe(7);
    expect(spy.mock.calls).toEqual([['signal', 2], [{ not: 'text' }], ['signal 4']]);
    expect(console.warn).toBe(spy);
  });

  it('puts console.warn back when the call throws', async () => {
    const spy = vi.fn();
    console.warn = spy;
    expect(() =>
      withoutWarningsSync(
        () => true,
        () => {
          throw new Error('sync');
        },
      ),
    ).toThrow('sync');
    await expect(
      withoutWarnings(
        () => true,
        async () => {
          throw new Error('async');
        },
      ),
    ).rejects.toThrow('async');
    expect(console.warn).toBe(spy);
  });
});
