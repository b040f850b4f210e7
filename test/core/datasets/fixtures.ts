/** Paths and helpers shared by the dataset tests. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { imdbDataDir, missingForTests } from '../../../scripts/prerequisites.mjs';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** test/fixtures/imdb, made by make-fixtures.py. */
export const FIXTURES = join(repoRoot, 'test', 'fixtures', 'imdb');

/** A fixture JSON file, parsed. */
export function readFixture<T>(relative: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, relative), 'utf8')) as T;
}

/**
 * The local IMDB copy: ENCDEC_DATA_DIR, else <repo>/../shared/data/imdb, else the download cache
 * (scripts/prerequisites.mjs). Missing data is a failure with a message, never a skipped test.
 */
export function realDataDir(): string {
  const dir = imdbDataDir();
  if (dir === undefined) throw new Error(missingForTests().join('\n'));
  return dir;
}

// Removed when the test file ends. The afterAll is registered here, when a test file imports this
// module: one registered by `tempDir()` called inside a test would never run.
const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test file ends. */
export function tempDir(prefix = 'encdec-datasets-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Options and result of one load_data case of tiny/expected.json. */
export interface ExpectedCase {
  options: Record<string, number | string | null>;
  result: Record<'train' | 'test', { x: number[][]; y: number[] }>;
}

/** tiny/expected.json. */
export interface TinyExpected {
  order: Record<'train' | 'test', string[]>;
  texts: Record<string, string>;
  tokens: Record<string, string[]>;
  cases: ExpectedCase[];
}
