import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataDirFromEnv, defaultCacheDir } from '../../../packages/core/src/datasets/cache-dir.js';
import { imdbCacheDir } from '../../../scripts/prerequisites.mjs';

const NAMES = ['ENCDEC_DATA_DIR', 'ENCDEC_CACHE_DIR', 'XDG_CACHE_HOME'] as const;
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
afterEach(() => {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('the data and cache directories from the environment', () => {
  it('resolves relative values when read, against the working directory', () => {
    process.env.ENCDEC_DATA_DIR = '../shared/data/imdb';
    process.env.ENCDEC_CACHE_DIR = 'cache';
    expect(dataDirFromEnv()).toBe(join(process.cwd(), '..', 'shared', 'data', 'imdb'));
    expect(defaultCacheDir()).toBe(join(process.cwd(), 'cache'));
  });

  it('falls back to XDG_CACHE_HOME, then ~/.cache; no data directory when unset', () => {
    delete process.env.ENCDEC_DATA_DIR;
    delete process.env.ENCDEC_CACHE_DIR;
    process.env.XDG_CACHE_HOME = '/xdg';
    expect(defaultCacheDir()).toBe('/xdg/encdec');
    delete process.env.XDG_CACHE_HOME;
    expect(defaultCacheDir()).toBe(join(homedir(), '.cache', 'encdec'));
    expect(dataDirFromEnv()).toBeUndefined();
  });

  it('is where npm run setup downloads the IMDB files (scripts/prerequisites.mjs)', () => {
    for (const env of [{ ENCDEC_CACHE_DIR: '/c' }, { XDG_CACHE_HOME: '/x' }, {}]) {
      delete process.env.ENCDEC_CACHE_DIR;
      delete process.env.XDG_CACHE_HOME;
      Object.assign(process.env, env);
      expect(imdbCacheDir(env)).toBe(join(defaultCacheDir(), 'imdb'));
    }
  });
});
