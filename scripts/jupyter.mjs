#!/usr/bin/env node
// Jupyter for this project, with its own tslab kernel (jupyter/kernels/encdec: no global install).
//
//   node scripts/jupyter.mjs start                 # npm start: Jupyter Notebook on notebooks/
//   node scripts/jupyter.mjs run [--out DIR] [NB]  # npm run notebooks: execute notebooks headless
//   node scripts/jupyter.mjs walkthrough           # npm run walkthrough: the IMDB walkthrough
//
// Jupyter's Python is found as $ENCDEC_JUPYTER_PYTHON, else /usr/bin/python3 (Debian's Jupyter),
// else python3 on PATH: the first that has the modules needed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const notebooksDir = join(root, 'notebooks');
const walkthrough = join(notebooksDir, '05-imdb-walkthrough.ipynb');
const env = { ...process.env, JUPYTER_PATH: join(root, 'jupyter') };

const INSTALL_HINT = `Install Jupyter first. On Debian or Ubuntu:
  sudo apt-get install jupyter-notebook jupyter-nbconvert python3-nbclient
elsewhere (pip):
  python3 -m pip install notebook nbconvert nbclient
then run this command again (set ENCDEC_JUPYTER_PYTHON=/path/to/python if Jupyter lives elsewhere).`;

function findPython(modules) {
  const candidates = [process.env.ENCDEC_JUPYTER_PYTHON, '/usr/bin/python3', 'python3'].filter(
    Boolean,
  );
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], {
      stdio: 'ignore',
    });
    if (probe.status === 0) return python;
  }
  console.error(`Jupyter is missing: no Python found with ${modules.join(', ')}.\n${INSTALL_HINT}`);
  process.exit(1);
}

function checkBuilt() {
  if (!existsSync(join(root, 'packages', 'core', 'dist', 'index.js'))) {
    console.error('The packages are not built yet: run `npm run build` first.');
    process.exit(1);
  }
}

function run(python, args) {
  const child = spawnSync(python, args, { stdio: 'inherit', env, cwd: root });
  process.exit(child.status ?? 1);
}

function execute(outDir, notebooks) {
  checkBuilt();
  const python = findPython(['nbclient', 'nbconvert', 'nbformat']);
  run(python, [join(root, 'scripts', 'execute_notebooks.py'), outDir, ...notebooks]);
}

const [command = 'start', ...rest] = process.argv.slice(2);
if (command === 'start') {
  checkBuilt();
  const python = findPython(['notebook']);
  console.log(`Starting Jupyter Notebook on ${notebooksDir} with the encdec (tslab) kernel.`);
  console.log('Open the http://127.0.0.1:... URL it prints below; stop it with Ctrl-C.');
  run(python, ['-m', 'notebook', '--no-browser', `--notebook-dir=${notebooksDir}`, ...rest]);
} else if (command === 'run') {
  const outAt = rest.indexOf('--out');
  const outDir = resolve(outAt >= 0 ? rest[outAt + 1] : join(root, 'out', 'notebooks'));
  const named = rest.filter((_, i) => outAt < 0 || (i !== outAt && i !== outAt + 1));
  const notebooks = named.length
    ? named.map((p) => resolve(p))
    : readdirSync(notebooksDir)
        .filter((f) => f.endsWith('.ipynb'))
        .sort()
        .map((f) => join(notebooksDir, f));
  execute(outDir, notebooks);
} else if (command === 'walkthrough') {
  const outDir = resolve(rest[0] ?? join(root, 'out', 'walkthrough'));
  execute(outDir, [walkthrough]);
} else {
  console.error(`Unknown command ${JSON.stringify(command)}: use start, run or walkthrough.`);
  process.exit(2);
}
