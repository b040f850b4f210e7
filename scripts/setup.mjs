#!/usr/bin/env node
// npm run setup: everything encdec needs beyond `npm ci`, for the notebooks and for `npm test`.
// CI (.ci/run) runs the same command.
//
//   1. System packages: Jupyter (notebook, nbclient, nbconvert) and Chromium. On Debian or Ubuntu
//      they are installed with apt-get (as root, else through sudo); elsewhere it prints what to
//      install. Only what is missing is installed.
//   2. Build the packages (the notebooks' kernel loads them from dist/).
//   3. The IMDB data: found in ENCDEC_DATA_DIR, ../shared/data/imdb or the download cache, else
//      downloaded into the cache (aclImdb_v1.tar.gz, 84 MB, and imdb_word_index.json), checksums
//      checked.
// It ends by listing anything still missing, with its command, and exits 1 if there is any.
//
//   node scripts/setup.mjs --check   only that last check, installing nothing (npm test runs it
//                                    first, so that a missing prerequisite is its first message)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  APT_CHROMIUM,
  APT_JUPYTER,
  aptCommand,
  chromiumPath,
  findPython,
  imdbCacheDir,
  imdbDataDir,
  JUPYTER_MODULES,
  missingForTests,
  PIP_COMMAND,
  root,
  withAbsolutePaths,
} from './prerequisites.mjs';

function check() {
  const missing = missingForTests(withAbsolutePaths(process.env));
  if (missing.length === 0) return true;
  console.error(
    'Missing, needed by npm test (see "Prerequisites" in the README):\n' +
      `${missing.map((m) => `  - ${m}`).join('\n')}\n` +
      'Run `npm run setup`: it installs them where it can and says what else to do.',
  );
  return false;
}

if (process.argv.includes('--check')) process.exit(check() ? 0 : 1);

const step = (text) => console.log(`\n== ${text}`);
const sh = (command, args) =>
  spawnSync(command, args, { stdio: 'inherit', cwd: root }).status === 0;
const has = (command) =>
  spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

// 1. System packages.
step('system packages: Jupyter and Chromium');
const wanted = [];
// A Python named by ENCDEC_JUPYTER_PYTHON is the only one used: Debian's Jupyter would not help it
// (the check at the end says what to do instead).
const chosenPython = process.env.ENCDEC_JUPYTER_PYTHON;
const jupyterPython = findPython(JUPYTER_MODULES);
if (jupyterPython === undefined && !chosenPython) wanted.push(...APT_JUPYTER);
if (!existsSync(chromiumPath())) wanted.push(...APT_CHROMIUM);
if (wanted.length === 0 && jupyterPython === undefined) {
  console.log(`ENCDEC_JUPYTER_PYTHON=${chosenPython} has no Jupyter; nothing installed for it`);
} else if (wanted.length === 0) {
  console.log(`found: Jupyter (${jupyterPython}) and Chromium (${chromiumPath()})`);
} else if (has('apt-get')) {
  const isRoot = process.getuid?.() === 0;
  const sudo = isRoot ? [] : ['sudo'];
  if (!isRoot && !has('sudo')) {
    console.log(
      `missing: ${wanted.join(' ')}; not root and no sudo: ask an administrator to run\n  ${aptCommand(wanted)}`,
    );
  } else {
    console.log(`installing with apt-get: ${wanted.join(' ')}`);
    const env = ['env', 'DEBIAN_FRONTEND=noninteractive'];
    const [cmd, ...rest] = [...sudo, ...env, 'apt-get'];
    sh(cmd, [...rest, 'update', '-q']);
    sh(cmd, [...rest, 'install', '-y', '-q', '--no-install-recommends', ...wanted]);
  }
} else {
  console.log(`missing: ${wanted.join(', ')}. This is not Debian or Ubuntu; install by hand:
  Jupyter: ${PIP_COMMAND} (set ENCDEC_JUPYTER_PYTHON if that Python is not python3)
  Chromium: your system's package, then set CHROMIUM_PATH to its executable`);
}

// 2. Build.
step('build the packages (npm run build)');
if (!sh('npm', ['run', '--silent', 'build'])) process.exit(1);

// 3. The IMDB data.
step('the IMDB data');
const env = withAbsolutePaths(process.env);
const found = imdbDataDir(env);
if (found !== undefined) {
  console.log(`found in ${found}`);
} else if (env.ENCDEC_DATA_DIR) {
  console.log(
    `ENCDEC_DATA_DIR=${env.ENCDEC_DATA_DIR} lacks aclImdb_v1.tar.gz (or an extracted aclImdb/) or imdb_word_index.json: put them there, or unset it to download them`,
  );
} else {
  const cacheDir = imdbCacheDir(env);
  console.log(`downloading into ${cacheDir} (once; checksums checked)`);
  const core = join(root, 'packages', 'core', 'dist');
  const { downloadFile } = await import(pathToFileURL(join(core, 'internal.js')).href);
  const { IMDB_FILES } = await import(pathToFileURL(join(core, 'datasets', 'imdb-files.js')).href);
  try {
    for (const file of [IMDB_FILES.aclImdb, IMDB_FILES.wordIndex]) {
      const path = await downloadFile({ ...file, cacheDir });
      console.log(`  ${path}`);
    }
    console.log('(the library finds them there whenever ENCDEC_DATA_DIR is unset)');
  } catch (error) {
    // Offline or a checksum failure: say why, then the check below names what is still missing.
    console.log(`  the download failed: ${error instanceof Error ? error.message : error}`);
  }
}

// 4. What is left.
step('check');
if (!check()) process.exit(1);
console.log('Ready: npm test, npm start, npm run walkthrough.');
console.log(
  'Optional, for speed: TensorFlow\'s native backend; see "Prerequisites" in the README.',
);
