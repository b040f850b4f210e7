/** Runs the notebook runner (scripts/jupyter.mjs run or docs) on notebooks, for the tests. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const fixture = (name: string): string => join(root, 'test', 'notebooks', 'fixtures', name);

export interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}
export interface Notebook {
  cells: { cell_type: string; source: string | string[]; outputs?: NotebookOutput[] }[];
}

/** Longest a test waits for the runner (the slowest notebook is under a minute in quick mode). */
export const TIMEOUT_MS = 600_000;

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The executed notebook at `outDir/<name>`. */
  executed(path: string): Notebook;
}

/**
 * Executes `notebooks` into `outDir` with `env` added: `run` writes the executed .ipynb and its
 * .html (npm run notebooks), `docs` the .ipynb for docs/notebooks/ (npm run docs).
 */
export function runNotebooks(
  outDir: string,
  notebooks: readonly string[],
  env: Record<string, string> = {},
  command: 'run' | 'docs' = 'run',
): RunResult {
  const run = spawnSync(
    process.execPath,
    [join(root, 'scripts', 'jupyter.mjs'), command, '--out', outDir, ...notebooks],
    { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: TIMEOUT_MS },
  );
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    executed: (path) => JSON.parse(readFileSync(join(outDir, basename(path)), 'utf8')),
  };
}

/**
 * The assertion message for a run that failed: the runner's report of the failing cell (error
 * name, message, trace and source), then the last lines of its progress.
 */
export function failureMessage(what: string, run: RunResult): string {
  const progress = run.stdout.trimEnd().split('\n').slice(-5).join('\n');
  return `${what} failed (exit status ${run.status}):\n${run.stderr.trim()}\n...\n${progress}`;
}
