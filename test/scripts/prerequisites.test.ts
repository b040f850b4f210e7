// scripts/prerequisites.mjs: what `npm run setup`, scripts/jupyter.mjs and the tests' global
// set-up say about the machine.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APT_CHROMIUM,
  APT_JUPYTER,
  aptCommand,
  findPython,
  imdbCacheDir,
  imdbDataDir,
  JUPYTER_MODULES,
  missingForTests,
  root,
  withAbsolutePaths,
} from '../../scripts/prerequisites.mjs';

describe('withAbsolutePaths', () => {
  it('resolves relative data, cache and chart directories against the start directory', () => {
    const env = withAbsolutePaths(
      {
        ENCDEC_DATA_DIR: '../shared/data/imdb',
        ENCDEC_CACHE_DIR: 'cache',
        ENCDEC_VIZ_OUT_DIR: './charts',
        OTHER: 'relative',
      },
      '/home/me/encdec',
    );
    expect(env).toEqual({
      ENCDEC_DATA_DIR: '/home/me/shared/data/imdb',
      ENCDEC_CACHE_DIR: '/home/me/encdec/cache',
      ENCDEC_VIZ_OUT_DIR: '/home/me/encdec/charts',
      OTHER: 'relative',
    });
  });

  it('leaves absolute and unset ones alone', () => {
    expect(withAbsolutePaths({ ENCDEC_DATA_DIR: '/data' }, '/elsewhere')).toEqual({
      ENCDEC_DATA_DIR: '/data',
    });
  });
});

describe('imdbDataDir and imdbCacheDir', () => {
  it('is ENCDEC_DATA_DIR when it holds the files, and nothing when it does not', () => {
    const fixtures = join(root, 'test', 'fixtures', 'imdb', 'tiny');
    expect(imdbDataDir({ ENCDEC_DATA_DIR: fixtures })).toBe(fixtures);
    expect(imdbDataDir({ ENCDEC_DATA_DIR: join(root, 'notebooks') })).toBeUndefined();
  });

  it('takes the reviews extracted (aclImdb/) as the library does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'encdec-extracted-'));
    try {
      mkdirSync(join(dir, 'aclImdb'));
      expect(imdbDataDir({ ENCDEC_DATA_DIR: dir })).toBeUndefined(); // no word index yet
      writeFileSync(join(dir, 'imdb_word_index.json'), '{}');
      expect(imdbDataDir({ ENCDEC_DATA_DIR: dir })).toBe(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('puts downloads where @encdec/core looks for them', () => {
    expect(imdbCacheDir({ ENCDEC_CACHE_DIR: '/c' })).toBe('/c/imdb');
    expect(imdbCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/encdec/imdb');
  });
});

describe('missingForTests', () => {
  it('is empty on a machine set up by npm run setup (this one)', () => {
    expect(missingForTests()).toEqual([]);
  });

  it('names each missing prerequisite with the command that installs only it', () => {
    const missing = missingForTests({
      CHROMIUM_PATH: '/nonexistent/chromium',
      ENCDEC_DATA_DIR: resolve('/nonexistent/imdb'),
    });
    // Jupyter is found (/usr/bin/python3), so the apt command names Chromium only.
    expect(missing).toHaveLength(2);
    expect(missing).toContainEqual(
      'Chromium at /nonexistent/chromium: npm run setup, or sudo apt-get install --no-install-recommends chromium (elsewhere: install Chromium and set CHROMIUM_PATH to its executable)',
    );
    expect(missing).toContainEqual(
      'the IMDB data: ENCDEC_DATA_DIR=/nonexistent/imdb does not hold aclImdb_v1.tar.gz (or an extracted aclImdb/) and imdb_word_index.json; ' +
        `put them there, or unset ENCDEC_DATA_DIR (then npm run setup downloads them into ${imdbCacheDir({})})`,
    );
  });

  it('uses ENCDEC_JUPYTER_PYTHON only, and says so when it has no Jupyter', () => {
    const env = { ENCDEC_JUPYTER_PYTHON: '/nonexistent/python3' };
    // /usr/bin/python3 has Jupyter here, but it is not the one the user named.
    expect(findPython(JUPYTER_MODULES, {})).toBe('/usr/bin/python3');
    expect(findPython(JUPYTER_MODULES, env)).toBeUndefined();
    expect(missingForTests(env)).toEqual([
      'Jupyter: ENCDEC_JUPYTER_PYTHON=/nonexistent/python3 does not run, or does not import notebook, nbclient, nbconvert, nbformat; ' +
        'install them for it (/nonexistent/python3 -m pip install notebook nbclient nbconvert nbformat), point it at a Python that has them, or unset it',
    ]);
    expect(findPython(JUPYTER_MODULES, { ENCDEC_JUPYTER_PYTHON: '/usr/bin/python3' })).toBe(
      '/usr/bin/python3',
    );
  });

  it('installs with apt only the packages of what is missing', () => {
    expect(aptCommand(APT_JUPYTER)).toBe(
      'sudo apt-get install --no-install-recommends jupyter-notebook python3-nbconvert python3-nbclient',
    );
    expect(aptCommand([...APT_JUPYTER, ...APT_CHROMIUM])).toBe(
      'sudo apt-get install --no-install-recommends jupyter-notebook python3-nbconvert python3-nbclient chromium',
    );
    // The README's command installs everything.
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(aptCommand());
  });
});
