// The notebook runner (scripts/jupyter.mjs run, behind `npm run notebooks`) on two small
// notebooks: one whose second code cell fails on purpose, then one that reports what its kernel
// sees. The terminal must say which cell failed and why (the error's name, message and trace),
// show progress while it runs, go on with the next notebook, hand kernels absolute data and cache
// directories, and leave nothing in the temporary directory.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imdbDataDir } from '../../scripts/prerequisites.mjs';
import {
  failureMessage,
  fixture,
  type RunResult,
  root,
  runNotebooks,
  TIMEOUT_MS,
} from './run-notebooks.js';

const outDir = mkdtempSync(join(tmpdir(), 'encdec-runner-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

// The command is started from packages/ with paths relative to it, as `npm run notebooks` started
// in a subfolder would be (npm says where in INIT_CWD).
const startedIn = join(root, 'packages');
const dataDir = imdbDataDir() as string;

let run: RunResult;
beforeAll(() => {
  run = runNotebooks(outDir, [fixture('failing.ipynb'), fixture('environment.ipynb')], {
    INIT_CWD: startedIn,
    ENCDEC_DATA_DIR: relative(startedIn, dataDir),
    ENCDEC_CACHE_DIR: 'some/cache',
  });
}, TIMEOUT_MS);

describe('the notebook runner on a failing cell', () => {
  it('exits with status 1 and still saves the executed notebook and its HTML', () => {
    expect(run.status).toBe(1);
    expect(existsSync(join(outDir, 'failing.html'))).toBe(true);
    const outputs = run.executed('failing.ipynb').cells.flatMap((c) => c.outputs ?? []);
    expect(outputs.some((o) => [o.text ?? ''].flat().join('').includes('answer: 42'))).toBe(true);
  });

  it("prints the failing cell's position, error name, message and trace", () => {
    expect(run.stderr).toContain('failing.ipynb: code cell 2 of 3');
    expect(run.stderr).toContain('RangeError: deliberate failure: expected 41, got 42');
    expect(run.stderr).toMatch(/^ {4}at checkAnswer \(/m);
    expect(run.stderr).toContain('| checkAnswer(answer);');
    // Frames of Node's vm and of tslab say nothing about the notebook.
    expect(run.stderr).not.toContain('tslab/dist');
  });

  it('gives npm test the same report in its assertion message', () => {
    const message = failureMessage('failing.ipynb', run);
    expect(message).toContain('RangeError: deliberate failure: expected 41, got 42');
    expect(message).toMatch(/^ {4}at checkAnswer \(/m);
  });

  it('prints progress: each notebook, then each code cell as it starts', () => {
    expect(run.stdout).toMatch(/^\[1\/2\] .*failing\.ipynb: 3 code cells$/m);
    expect(run.stdout).toMatch(/^ {2}cell +1 of 3 +\d+ s {2}const answer = 6 \* 7;$/m);
    expect(run.stdout).toMatch(/^ {2}cell +2 of 3 +\d+ s {2}function checkAnswer/m);
    expect(run.stdout).not.toMatch(/cell +3 of 3/);
    expect(run.stdout).toMatch(/^\[2\/2\] .*environment\.ipynb: 1 code cells$/m);
    expect(run.stdout).toMatch(/^1 of 2 notebooks ran in \d+ s; 1 failed$/m);
  });
});

describe("the kernel's environment", () => {
  const seen = () => {
    const text = run
      .executed('environment.ipynb')
      .cells.flatMap((c) => c.outputs ?? [])
      .map((o) => [o.text ?? ''].flat().join(''))
      .join('');
    const match = /kernel environment: (.*)/.exec(text);
    expect(match, `no environment printed:\n${text}`).not.toBeNull();
    return JSON.parse(match![1]!);
  };

  it("runs in the notebook's folder, with absolute data and cache directories", () => {
    const env = seen();
    expect(env.cwd).toBe(join(root, 'test', 'notebooks', 'fixtures'));
    expect(env.dataDir).toBe(dataDir);
    expect(env.dataDirExists).toBe(true);
    expect(env.cacheDir).toBe(join(startedIn, 'some', 'cache'));
  });

  it('has a temporary directory of its own, removed after the run', () => {
    const env = seen();
    expect(env.tmpdir).toMatch(/encdec-notebook-/);
    expect(existsSync(env.tmpdir)).toBe(false);
  });
});
