import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJson, saveJson, writeFileAtomic, writeFileAtomicSync } from '@encdec/core/internal';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'encdec-atomic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const dir = join(tmp, `case-${n++}`);
  mkdirSync(dir);
  return dir;
};

describe('writeFileAtomic', () => {
  for (const [name, write] of [
    ['async', writeFileAtomic],
    ['sync', async (p: string, d: string | Uint8Array) => writeFileAtomicSync(p, d)],
  ] as const) {
    it(`${name}: writes and replaces a file, leaving no temporary file`, async () => {
      const dir = freshDir();
      const path = join(dir, 'data.txt');
      await write(path, 'first');
      await write(path, new Uint8Array([104, 105]));
      expect(readFileSync(path, 'utf8')).toBe('hi');
      expect(readdirSync(dir)).toEqual(['data.txt']);
    });

    it(`${name}: a failed write leaves the old file and no temporary file`, async () => {
      const dir = freshDir();
      // The target is a non-empty directory: the final rename fails after the data was written.
      const path = join(dir, 'target');
      mkdirSync(path);
      writeFileSync(join(path, 'keep.txt'), 'old');
      await expect(write(path, 'new')).rejects.toThrow(`Cannot save ${path}: `);
      expect(readFileSync(join(path, 'keep.txt'), 'utf8')).toBe('old');
      expect(readdirSync(dir)).toEqual(['target']);
    });
  }

  it('names the file when its directory does not exist', async () => {
    const path = join(tmp, 'missing-dir', 'x.txt');
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow(
      new RegExp(
        `^Cannot save ${path}: .*ENOENT.*The previous file \\(if any\\) is left unchanged\\.$`,
      ),
    );
  });
});

describe('saveJson / loadJson', () => {
  it('round-trips a value', async () => {
    const path = join(freshDir(), 'config.json');
    const value = {
      kind: 'additive',
      units: 32,
      vocabulary: ['<pad>', 'été', '😀'],
      nested: { a: [1.5, null] },
    };
    await saveJson(path, value);
    expect(await loadJson(path)).toEqual(value);
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
  });

  it('names a missing file', async () => {
    const path = join(tmp, 'nope.json');
    await expect(loadJson(path)).rejects.toThrow(
      `Cannot load ${path}: the file does not exist. Check the path, or save it first.`,
    );
  });

  it('names a corrupt (truncated) file', async () => {
    const path = join(freshDir(), 'history.json');
    await saveJson(path, { loss: [1, 0.5, 0.25] });
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, 12));
    await expect(loadJson(path)).rejects.toThrow(
      new RegExp(
        `^Cannot load ${path}: it is not valid JSON \\(.+\\)\\. The file is corrupt or truncated: write it again\\.$`,
      ),
    );
  });

  it('rejects a value JSON cannot represent', async () => {
    await expect(saveJson(join(tmp, 'u.json'), undefined)).rejects.toThrow(
      'value must be a JSON-serialisable value, got undefined.',
    );
  });
});
