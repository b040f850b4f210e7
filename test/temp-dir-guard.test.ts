import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guardTempDir } from './helpers/temp-dir-guard.js';

describe('guardTempDir', () => {
  it('gives os.tmpdir() a fresh directory, then restores it and removes the directory', () => {
    const before = tmpdir();
    const guard = guardTempDir();
    expect(tmpdir()).toBe(guard.dir);
    guard.finish();
    expect(tmpdir()).toBe(before);
    expect(existsSync(guard.dir)).toBe(false);
  });

  it('fails naming what a test left behind, and still removes it', () => {
    const guard = guardTempDir();
    mkdirSync(join(tmpdir(), 'encdec-datasets-abc'));
    writeFileSync(join(tmpdir(), 'encdec-walkthrough-model.bin'), 'weights');
    expect(() => guard.finish()).toThrow(
      'This test file left 2 entries in the temporary directory: encdec-datasets-abc, encdec-walkthrough-model.bin.',
    );
    expect(existsSync(guard.dir)).toBe(false);
  });
});
