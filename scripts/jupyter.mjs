#!/usr/bin/env node
// Jupyter for this project, with its own tslab kernel (jupyter/kernels/encdec: no global install).
//
//   node scripts/jupyter.mjs start [JUPYTER ARGS]   npm start: Jupyter Notebook on notebooks/
//   node scripts/jupyter.mjs run [--out DIR] [NB ...]   npm run notebooks: execute them headless
//   node scripts/jupyter.mjs walkthrough [DIR]      npm run walkthrough: the IMDB walkthrough
//   node scripts/jupyter.mjs docs [--out DIR] [--quick] [NB ...]   npm run docs: docs/notebooks/
//
// Jupyter's Python is found as scripts/prerequisites.mjs says. Relative ENCDEC_DATA_DIR and
// ENCDEC_CACHE_DIR are made absolute against the directory the command was started from, since
// kernels run in notebooks/.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findPython, jupyterHelp, root, startDir, withAbsolutePaths } from './prerequisites.mjs';

const notebooksDir = join(root, 'notebooks');
const walkthrough = join(notebooksDir, '05-imdb-walkthrough.ipynb');
const env = { ...withAbsolutePaths(process.env), JUPYTER_PATH: join(root, 'jupyter') };

function jupyterPython(modules) {
  const python = findPython(modules);
  if (python !== undefined) return python;
  console.error(`Missing: ${jupyterHelp()}.\nThen run this command again.`);
  process.exit(1);
}

function checkBuilt() {
  if (!existsSync(join(root, 'packages', 'core', 'dist', 'index.js'))) {
    console.error('The packages are not built yet: run `npm run build` first.');
    process.exit(1);
  }
}

/**
 * Runs Python and exits with its status. Ctrl-C reaches it from the terminal (same process group),
 * so this process only waits; a SIGTERM or SIGHUP sent to this process is passed on to it.
 */
function run(python, args, runEnv = env, cleanUp = () => {}) {
  const child = spawn(python, args, { stdio: 'inherit', env: runEnv, cwd: root });
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    cleanUp();
    process.exit(code ?? (signal ? 1 : 0));
  });
}

function execute(outDir, notebooks, flags = [], runEnv = env) {
  checkBuilt();
  const python = jupyterPython(['nbclient', 'nbconvert', 'nbformat']);
  const script = join(root, 'scripts', 'execute_notebooks.py');
  run(python, [script, ...flags, outDir, ...notebooks], runEnv);
}

/** `--out DIR` from `args`, resolved against the start directory, and the other arguments. */
function outOption(args, fallback) {
  const at = args.indexOf('--out');
  if (at < 0) return { outDir: fallback, rest: args };
  return {
    outDir: resolve(startDir(), args[at + 1]),
    rest: args.filter((_, i) => i !== at && i !== at + 1),
  };
}

const allNotebooks = () =>
  readdirSync(notebooksDir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((f) => join(notebooksDir, f));

const [command = 'start', ...args] = process.argv.slice(2);
if (command === 'start') {
  checkBuilt();
  const python = jupyterPython(['notebook']);
  const extra = [];
  // Jupyter refuses to run as root unless told; containers and fresh VMs often are root.
  if (process.getuid?.() === 0 && !args.includes('--allow-root')) {
    console.log('Running as root: passing --allow-root to Jupyter (it refuses root otherwise).');
    extra.push('--allow-root');
  }
  console.log(`Starting Jupyter Notebook on ${notebooksDir} with the encdec (tslab) kernel.`);
  console.log('Open the http://127.0.0.1:... URL it prints below; stop it with Ctrl-C.');
  const notebookDir = `--notebook-dir=${notebooksDir}`;
  // The kernels' temporary directory (TMPDIR), removed when Jupyter stops: what a notebook writes
  // there (the walkthrough's saved model) does not outlive the session.
  const tmp = mkdtempSync(join(tmpdir(), 'encdec-jupyter-'));
  const cleanUp = () => rmSync(tmp, { recursive: true, force: true });
  const notebookArgs = ['-m', 'notebook', '--no-browser', notebookDir, ...extra, ...args];
  run(python, notebookArgs, { ...env, TMPDIR: tmp }, cleanUp);
} else if (command === 'run') {
  const { outDir, rest } = outOption(args, join(root, 'out', 'notebooks'));
  const named = rest.map((p) => resolve(startDir(), p));
  execute(outDir, named.length ? named : allNotebooks());
} else if (command === 'walkthrough') {
  const outDir = args[0] ? resolve(startDir(), args[0]) : join(root, 'out', 'walkthrough');
  execute(outDir, [walkthrough]);
} else if (command === 'docs') {
  // The committed rendering is a full run; --quick (small slices) is for trying the command.
  const { outDir, rest } = outOption(args, join(root, 'docs', 'notebooks'));
  const docsEnv = { ...env };
  delete docsEnv.ENCDEC_QUICK;
  if (rest.includes('--quick')) docsEnv.ENCDEC_QUICK = '1';
  const named = rest.filter((a) => a !== '--quick').map((p) => resolve(startDir(), p));
  execute(outDir, named.length ? named : allNotebooks(), ['--docs'], docsEnv);
} else {
  console.error(`Unknown command ${JSON.stringify(command)}: use start, run, walkthrough or docs.`);
  process.exit(2);
}
