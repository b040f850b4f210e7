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

  it('overlapping calls that end in either order leave console.warn as it was', async () => {
    for (const innerEndsLast of [false, true]) {
      const spy = vi.fn();
      console.warn = spy;
      let endOuter = () => {};
      let endInner = () => {};
      const outerDone = new Promise<void>((r) => {
        endOuter = r;
      });
      const innerDone = new Promise<void>((r) => {
        endInner = r;
      });
      const outer = withoutWarnings(
        (t) => t === 'a',
        () => outerDone,
      );
      const inner = withoutWarnings(
        (t) => t === 'b',
        () => innerDone,
      );
      console.warn('a');
      console.warn('b');
      console.warn('c');
      if (innerEndsLast) {
        endOuter();
        await outer;
        console.warn('a');
        console.warn('b');
        endInner();
        await inner;
      } else {
        endInner();
        await inner;
        console.warn('b');
        console.warn('a');
        endOuter();
        await outer;
      }
      console.warn('a');
      console.warn('b');
      expect(console.warn).toBe(spy);
      // While both ran only 'c' passed; after one ended, its own text passed again.
      const passed = spy.mock.calls.map((c) => c[0]);
      expect(passed).toEqual(innerEndsLast ? ['c', 'a', 'a', 'b'] : ['c', 'b', 'a', 'b']);
    }
  });
});
