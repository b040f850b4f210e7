/**
 * Each test file gets a temporary directory of its own (TMPDIR, which `os.tmpdir()` and the
 * processes a test starts read), so that what a file leaves behind is seen, and is its own: files
 * run in parallel, and a shared /tmp could not tell whose a leftover is.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDirGuard {
  /** The test file's temporary directory. */
  dir: string;
  /** Restores TMPDIR, removes the directory, and throws naming any entry left in it. */
  finish(): void;
}

/** Points TMPDIR at a fresh directory until `finish()`. */
export function guardTempDir(): TempDirGuard {
  const outer = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'encdec-test-'));
  process.env.TMPDIR = dir;
  return {
    dir,
    finish() {
      const left = readdirSync(dir).sort();
      if (outer === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = outer;
      rmSync(dir, { recursive: true, force: true });
      if (left.length > 0) {
        throw new Error(
          `This test file left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in the temporary directory: ${left.join(', ')}. ` +
            'Remove what a test creates there (an afterAll at the top of the file, or try/finally).',
        );
      }
    },
  };
}
