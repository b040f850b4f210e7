/** Paths and helpers shared by the dataset tests. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** test/fixtures/imdb, made by make-fixtures.py. */
export const FIXTURES = join(repoRoot, 'test', 'fixtures', 'imdb');

/** A fixture JSON file, parsed. */
export function readFixture<T>(relative: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, relative), 'utf8')) as T;
}

/**
 * The offline IMDB copy: ENCDEC_DATA_DIR, else <repo>/../shared/data/imdb. Missing data is a
 * failure with a message, never a skipped test.
 */
export function realDataDir(): string {
  const dir = process.env.ENCDEC_DATA_DIR ?? resolve(repoRoot, '..', 'shared', 'data', 'imdb');
  if (!existsSync(join(dir, 'aclImdb_v1.tar.gz'))) {
    throw new Error(
      `The offline IMDB copy is missing: no aclImdb_v1.tar.gz in ${dir}. Set ENCDEC_DATA_DIR.`,
    );
  }
  return dir;
}

/** A fresh temporary directory, removed when the test file ends. */
export function tempDir(prefix = 'encdec-datasets-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
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
