/**
 * `initBackend`: which backend it picks and why, the override order (argument > ENCDEC_BACKEND >
 * automatic), its error messages and its one log line. tfjs-node is absent here, so the choice
 * "tensorflow is there" is tested with fake loaders, and the real one must fall back.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BACKEND_NAMES, EncdecError, initBackend, isBackendName } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  type BackendLoaders,
  selectBackend,
} from '../../../packages/core/src/backend/init-backend.js';
import type { LoadResult } from '../../../packages/core/src/backend/load-backends.js';

const installHint = `npm install @tensorflow/tfjs-node@${tf.version_core}`;

/** Fake loaders: each records its call and answers as told. */
function fakeLoaders(fails: Partial<Record<string, string>> = {}) {
  const calls: string[] = [];
  const loader = (name: string) => async (): Promise<LoadResult> => {
    calls.push(name);
    const why = fails[name];
    return why === undefined ? { ok: true } : { ok: false, why };
  };
  const loaders: BackendLoaders = {
    tensorflow: loader('tensorflow'),
    wasm: loader('wasm'),
    cpu: loader('cpu'),
  };
  return { loaders, calls };
}

const savedEnv = process.env.ENCDEC_BACKEND;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.ENCDEC_BACKEND;
  else process.env.ENCDEC_BACKEND = savedEnv;
  vi.restoreAllMocks();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('importing @encdec/core', () => {
  // First in this file, before any initBackend: the import alone must leave TF.js's default.
  it('neither loads the wasm backend nor switches the backend', async () => {
    expect(tf.findBackendFactory('wasm')).toBeFalsy();
    await tf.ready();
    expect(tf.getBackend()).toBe('cpu');
  });
});

describe('backend names', () => {
  it('lists tensorflow, wasm, cpu, fastest first, with a type guard', () => {
    expect(BACKEND_NAMES).toEqual(['tensorflow', 'wasm', 'cpu']);
    expect(isBackendName('wasm')).toBe(true);
    expect(isBackendName('webgl')).toBe(false);
    expect(isBackendName(undefined)).toBe(false);
  });
});

describe('selectBackend (fake loaders)', () => {
  it('automatic: takes tensorflow when it loads, and tries nothing else', async () => {
    const { loaders, calls } = fakeLoaders();
    const lines: string[] = [];
    const choice = await selectBackend({ log: (l) => lines.push(l) }, undefined, loaders);
    expect(choice.backend).toBe('tensorflow');
    expect(calls).toEqual(['tensorflow']);
    expect(choice.reason).toBe(
      'automatic; using tensorflow: native TensorFlow through @tensorflow/tfjs-node, the fastest',
    );
    expect(lines).toEqual([`encdec: TF.js backend "tensorflow" (${choice.reason})`]);
  });

  it('automatic: falls to wasm, then cpu, naming each failure', async () => {
    const { loaders, calls } = fakeLoaders({ tensorflow: 'no tfjs-node', wasm: 'no wasm' });
    const choice = await selectBackend({ log: null }, '', loaders);
    expect(choice.backend).toBe('cpu');
    expect(calls).toEqual(['tensorflow', 'wasm', 'cpu']);
    expect(choice.reason).toBe(
      'automatic; tensorflow: no tfjs-node; wasm: no wasm; using cpu: plain JavaScript, the slowest',
    );
  });

  it('ENCDEC_BACKEND picks the backend; the argument overrides it', async () => {
    const env = fakeLoaders();
    const fromEnv = await selectBackend({ log: false }, 'cpu', env.loaders);
    expect(fromEnv).toEqual({ backend: 'cpu', reason: 'ENCDEC_BACKEND=cpu' });
    expect(env.calls).toEqual(['cpu']);

    const arg = fakeLoaders();
    const fromArg = await selectBackend({ backend: 'wasm', log: false }, 'cpu', arg.loaders);
    expect(fromArg).toEqual({ backend: 'wasm', reason: 'backend: "wasm" was asked for' });
    expect(arg.calls).toEqual(['wasm']);
  });

  it('a wished backend that fails falls back down the list, with the reason', async () => {
    const { loaders } = fakeLoaders({ wasm: 'wasm is broken' });
    const choice = await selectBackend({ log: false }, ' wasm ', loaders);
    expect(choice).toEqual({
      backend: 'cpu',
      reason: 'ENCDEC_BACKEND=wasm; wasm: wasm is broken; using cpu: plain JavaScript, the slowest',
    });
  });

  it('throws when no backend starts at all', async () => {
    const { loaders } = fakeLoaders({ tensorflow: 'a', wasm: 'b', cpu: 'c' });
    await expect(selectBackend({ log: false }, undefined, loaders)).rejects.toThrow(
      'No TF.js backend could be started: tensorflow: a; wasm: b; cpu: c.',
    );
  });

  it('rejects unknown names, naming the argument or the variable and the valid names', async () => {
    const { loaders, calls } = fakeLoaders();
    const badArg = selectBackend({ backend: 'gpu' as 'cpu' }, 'cpu', loaders);
    await expect(badArg).rejects.toThrow(EncdecError);
    await expect(badArg).rejects.toThrow(
      'backend must be one of "tensorflow", "wasm" or "cpu", got "gpu".',
    );
    await expect(selectBackend({}, 'webgl', loaders)).rejects.toThrow(
      'ENCDEC_BACKEND must be one of "tensorflow", "wasm" or "cpu", got "webgl".',
    );
    await expect(selectBackend({ log: 'yes' as never }, undefined, loaders)).rejects.toThrow(
      'log must be a function (line: string) => void, null or false, got "yes".',
    );
    expect(calls).toEqual([]);
  });

  it('logs with console.log by default, exactly one line; null and false silence it', async () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    await selectBackend({}, 'cpu', fakeLoaders().loaders);
    expect(spy.mock.calls).toEqual([['encdec: TF.js backend "cpu" (ENCDEC_BACKEND=cpu)']]);
    await selectBackend({ log: null }, 'cpu', fakeLoaders().loaders);
    await selectBackend({ log: false }, 'cpu', fakeLoaders().loaders);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('initBackend (real backends; tfjs-node is not installed here)', () => {
  it('automatic: tensorflow is absent, so wasm, and the reason says how to install tfjs-node', async () => {
    delete process.env.ENCDEC_BACKEND;
    const lines: string[] = [];
    const choice = await initBackend({ log: (l) => lines.push(l) });
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.reason).toContain('tensorflow: @tensorflow/tfjs-node is not installed');
    expect(choice.reason).toContain(installHint);
    expect(lines).toEqual([`encdec: TF.js backend "wasm" (${choice.reason})`]);
  });

  it('forcing tensorflow falls back to wasm with the install command', async () => {
    const choice = await initBackend({ backend: 'tensorflow', log: null });
    expect(choice.backend).toBe('wasm');
    expect(choice.reason).toBe(
      'backend: "tensorflow" was asked for; tensorflow: @tensorflow/tfjs-node is not installed ' +
        `(install: ${installHint}); using wasm: WebAssembly with encdec kernels, trains much faster than cpu`,
    );
  });

  it('ENCDEC_BACKEND=cpu switches to cpu; the argument wins over it', async () => {
    process.env.ENCDEC_BACKEND = 'cpu';
    expect(await initBackend({ log: null })).toEqual({
      backend: 'cpu',
      reason: 'ENCDEC_BACKEND=cpu',
    });
    expect(tf.getBackend()).toBe('cpu');
    const choice = await initBackend({ backend: 'wasm', log: null });
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    process.env.ENCDEC_BACKEND = 'tpu';
    await expect(initBackend({ log: null })).rejects.toThrow(
      'ENCDEC_BACKEND must be one of "tensorflow", "wasm" or "cpu", got "tpu".',
    );
  });

  it('works from the built dist through require() (a tslab cell), and trains an Embedding', () => {
    // A separate Node process, CommonJS, loading packages/core/dist (built by `tsc -b`).
    const script = `
      const tf = require('@tensorflow/tfjs');
      const { initBackend } = require('@encdec/core');
      initBackend({ log: null }).then(({ backend }) => {
        const table = tf.variable(tf.ones([5, 2]));
        const { grads } = tf.variableGrads(() => tf.gather(table, tf.tensor1d([1, 1, 3], 'int32')).sum());
        process.stdout.write(JSON.stringify({ backend, now: tf.getBackend(), grad: Array.from(grads[table.name].dataSync()) }));
      });`;
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const env = { ...process.env };
    delete env.ENCDEC_BACKEND;
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({
      backend: 'wasm',
      now: 'wasm',
      grad: [0, 0, 2, 2, 0, 0, 1, 1, 0, 0],
    });
  });
});
