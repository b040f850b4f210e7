// What encdec needs from the machine beyond `npm ci`, how to find it and how to install it.
// Used by `npm run setup` (scripts/setup.mjs), by scripts/jupyter.mjs and by the tests' global
// set-up (test/setup/prerequisites.ts), so that all three name the same things with the same commands.
//
//   Jupyter    a Python with notebook, nbclient, nbconvert, nbformat: $ENCDEC_JUPYTER_PYTHON, else
//              /usr/bin/python3 (Debian's Jupyter), else python3 on PATH
//   Chromium   $CHROMIUM_PATH, else /usr/bin/chromium (the tests that look at a rendered page)
//   IMDB data  a directory holding aclImdb_v1.tar.gz and imdb_word_index.json: $ENCDEC_DATA_DIR,
//              else ../shared/data/imdb beside the clone, else the download cache (<cache>/imdb)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Debian/Ubuntu packages that `npm run setup` installs, and what to install elsewhere. */
export const APT_PACKAGES = [
  'jupyter-notebook',
  'python3-nbconvert',
  'python3-nbclient',
  'chromium',
];
export const APT_COMMAND = `sudo apt-get install --no-install-recommends ${APT_PACKAGES.join(' ')}`;
export const PIP_COMMAND = 'python3 -m pip install notebook nbclient nbconvert nbformat';

export const JUPYTER_MODULES = ['notebook', 'nbclient', 'nbconvert', 'nbformat'];
export const IMDB_FILE_NAMES = ['aclImdb_v1.tar.gz', 'imdb_word_index.json'];

/** The directory a command was started from: npm runs scripts in the root, and says in INIT_CWD. */
export const startDir = () => process.env.INIT_CWD ?? process.cwd();

/**
 * `env` with relative ENCDEC_DATA_DIR, ENCDEC_CACHE_DIR and ENCDEC_VIZ_OUT_DIR made absolute
 * against the directory the command was started from: kernels and workers run elsewhere (a
 * notebook's kernel in notebooks/), where a relative path would mean another directory.
 */
export function withAbsolutePaths(env, from = startDir()) {
  const out = { ...env };
  for (const name of ['ENCDEC_DATA_DIR', 'ENCDEC_CACHE_DIR', 'ENCDEC_VIZ_OUT_DIR']) {
    const value = out[name];
    if (value && !isAbsolute(value)) out[name] = resolve(from, value);
  }
  return out;
}

/** The first Python that imports every module in `modules`, or undefined. */
export function findPython(modules) {
  const candidates = [process.env.ENCDEC_JUPYTER_PYTHON, '/usr/bin/python3', 'python3'];
  for (const python of candidates.filter(Boolean)) {
    const probe = spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], {
      stdio: 'ignore',
    });
    if (probe.status === 0) return python;
  }
  return undefined;
}

/** The Chromium the tests use. */
export const chromiumPath = () => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The download cache of the IMDB files, as `@encdec/core` computes it (datasets/cache-dir.ts). */
export function imdbCacheDir(env = process.env) {
  const xdg = env.XDG_CACHE_HOME;
  const cache =
    env.ENCDEC_CACHE_DIR || join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'encdec');
  return join(resolve(cache), 'imdb');
}

const holdsImdb = (dir) => IMDB_FILE_NAMES.every((f) => existsSync(join(dir, f)));

/** The local IMDB copy the tests and notebooks use, or undefined when there is none. */
export function imdbDataDir(env = withAbsolutePaths(process.env)) {
  if (env.ENCDEC_DATA_DIR) return holdsImdb(env.ENCDEC_DATA_DIR) ? env.ENCDEC_DATA_DIR : undefined;
  for (const dir of [resolve(root, '..', 'shared', 'data', 'imdb'), imdbCacheDir(env)]) {
    if (holdsImdb(dir)) return dir;
  }
  return undefined;
}

/**
 * One line per missing prerequisite of the whole test suite, each naming what is missing and the
 * command that installs it; empty when nothing is missing.
 */
export function missingForTests(env = withAbsolutePaths(process.env)) {
  const missing = [];
  if (findPython(JUPYTER_MODULES) === undefined) {
    missing.push(
      `Jupyter (a Python with ${JUPYTER_MODULES.join(', ')}): npm run setup, or ${APT_COMMAND}` +
        ` (elsewhere: ${PIP_COMMAND}; set ENCDEC_JUPYTER_PYTHON if it is not python3)`,
    );
  }
  if (!existsSync(chromiumPath())) {
    missing.push(
      `Chromium at ${chromiumPath()}: npm run setup, or ${APT_COMMAND}` +
        ' (elsewhere: install Chromium and set CHROMIUM_PATH to its executable)',
    );
  }
  if (imdbDataDir(env) === undefined) {
    const files = IMDB_FILE_NAMES.join(' and ');
    const download = `npm run setup downloads them into ${imdbCacheDir(env)}`;
    missing.push(
      env.ENCDEC_DATA_DIR
        ? `the IMDB data: ENCDEC_DATA_DIR=${env.ENCDEC_DATA_DIR} does not hold ${files}; put them there, or unset ENCDEC_DATA_DIR (then ${download})`
        : `the IMDB data: no ${files} in ENCDEC_DATA_DIR (unset), ../shared/data/imdb or ${imdbCacheDir(env)}; ${download}, or set ENCDEC_DATA_DIR to a directory holding them`,
    );
  }
  return missing;
}
