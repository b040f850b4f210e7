// What encdec needs from the machine beyond `npm ci`, how to find it and how to install it.
// Used by `npm run setup` (scripts/setup.mjs), by scripts/jupyter.mjs and by the tests' global
// set-up (test/setup/prerequisites.ts), so that all three name the same things with the same commands.
//
//   Jupyter    a Python with notebook, nbclient, nbconvert, nbformat: $ENCDEC_JUPYTER_PYTHON when
//              set (that one only), else /usr/bin/python3 (Debian's Jupyter), else python3 on PATH
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
export const APT_JUPYTER = ['jupyter-notebook', 'python3-nbconvert', 'python3-nbclient'];
export const APT_CHROMIUM = ['chromium'];
export const APT_PACKAGES = [...APT_JUPYTER, ...APT_CHROMIUM];
/** The apt-get command that installs `packages` (default: all of them). */
export const aptCommand = (packages = APT_PACKAGES) =>
  `sudo apt-get install --no-install-recommends ${packages.join(' ')}`;
export const PIP_COMMAND = 'python3 -m pip install notebook nbclient nbconvert nbformat';

export const JUPYTER_MODULES = ['notebook', 'nbclient', 'nbconvert', 'nbformat'];

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

/**
 * The first Python that imports every module in `modules`, or undefined. ENCDEC_JUPYTER_PYTHON,
 * when set, is the only one tried: a Python the user names is not silently replaced by another.
 */
export function findPython(modules, env = process.env) {
  const chosen = env.ENCDEC_JUPYTER_PYTHON;
  const candidates = chosen ? [chosen] : ['/usr/bin/python3', 'python3'];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], {
      stdio: 'ignore',
    });
    if (probe.status === 0) return python;
  }
  return undefined;
}

/**
 * What is wrong with Jupyter, and how to fix it, in one line; undefined when a Python with
 * `JUPYTER_MODULES` is found.
 */
export function missingJupyter(env = process.env) {
  return findPython(JUPYTER_MODULES, env) === undefined ? jupyterHelp(env) : undefined;
}

/** How to get a Python with `JUPYTER_MODULES`, in one line, for when none was found. */
export function jupyterHelp(env = process.env) {
  const modules = JUPYTER_MODULES.join(', ');
  const chosen = env.ENCDEC_JUPYTER_PYTHON;
  if (chosen) {
    return (
      `Jupyter: ENCDEC_JUPYTER_PYTHON=${chosen} does not run, or does not import ${modules};` +
      ` install them for it (${chosen} -m pip install ${JUPYTER_MODULES.join(' ')}), point it at a Python that has them, or unset it`
    );
  }
  return (
    `Jupyter (a Python with ${modules}): npm run setup, or ${aptCommand(APT_JUPYTER)}` +
    ` (elsewhere: ${PIP_COMMAND}; set ENCDEC_JUPYTER_PYTHON if it is not python3)`
  );
}

/** The Chromium the tests use. */
export const chromiumPath = (env = process.env) => env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The download cache of the IMDB files, as `@encdec/core` computes it (datasets/cache-dir.ts). */
export function imdbCacheDir(env = process.env) {
  const xdg = env.XDG_CACHE_HOME;
  const cache =
    env.ENCDEC_CACHE_DIR || join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'encdec');
  return join(resolve(cache), 'imdb');
}

/** The reviews as the tarball or extracted (`aclImdb/`), and Keras' word index: as the library. */
const holdsImdb = (dir) =>
  (existsSync(join(dir, 'aclImdb_v1.tar.gz')) || existsSync(join(dir, 'aclImdb'))) &&
  existsSync(join(dir, 'imdb_word_index.json'));

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
  const jupyter = missingJupyter(env);
  if (jupyter !== undefined) missing.push(jupyter);
  if (!existsSync(chromiumPath(env))) {
    missing.push(
      `Chromium at ${chromiumPath(env)}: npm run setup, or ${aptCommand(APT_CHROMIUM)}` +
        ' (elsewhere: install Chromium and set CHROMIUM_PATH to its executable)',
    );
  }
  if (imdbDataDir(env) === undefined) {
    const files = 'aclImdb_v1.tar.gz (or an extracted aclImdb/) and imdb_word_index.json';
    const download = `npm run setup downloads them into ${imdbCacheDir(env)}`;
    missing.push(
      env.ENCDEC_DATA_DIR
        ? `the IMDB data: ENCDEC_DATA_DIR=${env.ENCDEC_DATA_DIR} does not hold ${files}; put them there, or unset ENCDEC_DATA_DIR (then ${download})`
        : `the IMDB data: no ${files} in ENCDEC_DATA_DIR (unset), ../shared/data/imdb or ${imdbCacheDir(env)}; ${download}, or set ENCDEC_DATA_DIR to a directory holding them`,
    );
  }
  return missing;
}
