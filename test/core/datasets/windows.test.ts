/** sequenceWindows: consecutive windows of fixed or mixed length, on sequences counted by hand. */
import { EncdecError, sequenceWindows } from '@encdec/core';
import { describe, expect, it } from 'vitest';

const rows = (windows: Int32Array[]) => windows.map((w) => Array.from(w));
/** Sequence k is 100k + 0, 100k + 1, ...: every id says where it came from. */
const numbered = (lengths: number[]) =>
  lengths.map((n, k) => Int32Array.from({ length: n }, (_, i) => 100 * k + i));

describe('sequenceWindows', () => {
  it('cuts consecutive windows after offset, at most perSequence of each, skipping short sequences', () => {
    // Sequence 0 (10 ids, 9 after the offset) gives [1..3], [4..6], [7..9]; perSequence 2 keeps
    // two. Sequence 1 (3 ids, 2 after the offset) gives none. Sequence 2 (7 ids) gives [201..203],
    // [204..206].
    const windows = sequenceWindows(numbered([10, 3, 7]), { length: 3, perSequence: 2, offset: 1 });
    expect(rows(windows)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [201, 202, 203],
      [204, 205, 206],
    ]);
    expect(windows[0]).toBeInstanceOf(Int32Array);
  });

  it('defaults: one window per sequence from its start; limit stops early', () => {
    const sequences = numbered([4, 4, 4]);
    expect(rows(sequenceWindows(sequences, { length: 2 }))).toEqual([
      [0, 1],
      [100, 101],
      [200, 201],
    ]);
    expect(rows(sequenceWindows(sequences, { length: 2, perSequence: 5, limit: 3 }))).toEqual([
      [0, 1],
      [2, 3],
      [100, 101],
    ]);
    expect(sequenceWindows(sequences, { length: 2, limit: 0 })).toEqual([]);
  });

  it('copies: changing a window leaves the sequence as it was', () => {
    const sequences = numbered([3]);
    sequenceWindows(sequences, { length: 2 })[0]![0] = 99;
    expect(Array.from(sequences[0]!)).toEqual([0, 1, 2]);
  });

  it('mixed lengths: each length in [min, max], every one drawn, windows consecutive', () => {
    const sequences = numbered(Array(400).fill(99));
    const windows = sequenceWindows(sequences, {
      length: [5, 40],
      perSequence: 2,
      offset: 1,
      seed: 3,
    });
    const lengths = windows.map((w) => w.length);
    expect(Math.min(...lengths)).toBe(5);
    expect(Math.max(...lengths)).toBe(40);
    expect(new Set(lengths).size).toBe(36); // 800 draws of 36 values: each drawn
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    expect(mean).toBeGreaterThan(22.5 - 1.5); // uniform on 5..40: mean 22.5, sd 10.4 / sqrt(800)
    expect(mean).toBeLessThan(22.5 + 1.5);
    for (const w of windows) {
      const k = Math.floor(w[0]! / 100); // the sequence it came from
      expect(Array.from(w)).toEqual(Array.from(w, (_, i) => w[0]! + i)); // a stretch of it
      expect(w[0]! % 100).toBeGreaterThanOrEqual(1); // after the offset
      expect(k).toBeLessThan(400);
    }
    // Two windows of one sequence touch: the second starts where the first ends.
    const bySequence = new Map<number, Int32Array[]>();
    for (const w of windows)
      bySequence.set(Math.floor(w[0]! / 100), [
        ...(bySequence.get(Math.floor(w[0]! / 100)) ?? []),
        w,
      ]);
    for (const [k, ws] of bySequence) {
      expect(ws[0]![0]).toBe(100 * k + 1);
      if (ws.length === 2) expect(ws[1]![0]).toBe(ws[0]![0]! + ws[0]!.length);
    }
  });

  it('the same seed gives the same windows, another seed others', () => {
    const sequences = numbered(Array(50).fill(60));
    const cut = (seed: number) => rows(sequenceWindows(sequences, { length: [5, 40], seed }));
    expect(cut(7)).toEqual(cut(7));
    expect(cut(7)).not.toEqual(cut(8));
  });

  it('rejects bad options, naming them', () => {
    const s = numbered([5]);
    const bad: [object, RegExp][] = [
      [{ length: 0 }, /length.*0/],
      [{ length: [6, 5] }, /length.*6.*5/],
      [{ length: [0, 5] }, /length/],
      [{ length: 2, perSequence: 0 }, /perSequence.*0/],
      [{ length: 2, offset: -1 }, /offset.*-1/],
      [{ length: 2, limit: 1.5 }, /limit.*1\.5/],
      [{ length: 2, seed: 'x' }, /seed.*x/],
    ];
    for (const [options, message] of bad) {
      expect(() => sequenceWindows(s, options as never)).toThrow(EncdecError);
      expect(() => sequenceWindows(s, options as never)).toThrow(message);
    }
    expect(() => sequenceWindows('abc' as never, { length: 2 })).toThrow(/sequences/);
  });
});
