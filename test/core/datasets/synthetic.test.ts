import { SEQUENCE_TASKS, sequenceTask, TASK_END_ID, TASK_START_ID } from '@encdec/core';
import { describe, expect, it } from 'vitest';

describe('sequenceTask', () => {
  it('reverses each source row, ends targets with END and shifts them behind START', () => {
    const data = sequenceTask({
      task: 'reverse',
      count: 50,
      vocabSize: 10,
      minLength: 2,
      maxLength: 5,
      seed: 3,
    });
    expect(SEQUENCE_TASKS).toEqual(['reverse', 'copy', 'sort']);
    expect(data.src).toHaveLength(50);
    data.src.forEach((row, i) => {
      expect(row).toHaveLength(5);
      const symbols = row.filter((id) => id !== 0);
      expect(symbols.length).toBeGreaterThanOrEqual(2);
      // Post-padded: the symbols come first.
      expect(row.slice(0, symbols.length)).toEqual(symbols);
      for (const id of symbols) expect(id >= 4 && id < 10).toBe(true);
      const reversed = [...symbols].reverse();
      expect(data.targets[i]).toEqual(reversed);
      const out = [...reversed, TASK_END_ID];
      expect(data.tgtOut[i]).toEqual([...out, ...new Array(6 - out.length).fill(0)]);
      expect(data.tgtIn[i]).toEqual([TASK_START_ID, ...data.tgtOut[i]!.slice(0, 5)]);
    });
    // Every length in [minLength, maxLength] occurs in 50 rows.
    expect(new Set(data.targets.map((t) => t.length))).toEqual(new Set([2, 3, 4, 5]));
  });

  it('copies with task copy and is reproducible by seed', () => {
    const a = sequenceTask({ task: 'copy', count: 5, seed: 'x' });
    expect(a.targets).toEqual(a.src.map((row) => row.filter((id) => id !== 0)));
    expect(sequenceTask({ task: 'copy', count: 5, seed: 'x' })).toEqual(a);
    expect(sequenceTask({ task: 'copy', count: 5, seed: 'y' })).not.toEqual(a);
  });

  it('sorts with task sort: the same symbols, ascending', () => {
    const data = sequenceTask({ task: 'sort', count: 20, seed: 's' });
    data.targets.forEach((target, i) => {
      const symbols = data.src[i]!.filter((id) => id !== 0);
      expect(target).toEqual([...symbols].sort((a, b) => a - b));
      expect(target.every((id, t) => t === 0 || target[t - 1]! <= id)).toBe(true);
    });
  });

  it('names the bad argument', () => {
    expect(() => sequenceTask({ count: 0 })).toThrow(/count/);
    expect(() => sequenceTask({ count: 1, task: 'shuffle' as never })).toThrow(/task.*"shuffle"/);
    expect(() => sequenceTask({ count: 1, vocabSize: 4 })).toThrow(
      'vocabSize must be an integer >= 5 (4 reserved ids + a symbol), got 4.',
    );
    expect(() => sequenceTask({ count: 1, minLength: 4, maxLength: 2 })).toThrow(/maxLength.*2/);
  });
});
