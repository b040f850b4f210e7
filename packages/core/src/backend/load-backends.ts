/**
 * Loading each backend, lazily: neither `@tensorflow/tfjs-node` nor `@tensorflow/tfjs-backend-wasm`
 * is imported until `initBackend` asks for it, so that
 * - a missing or broken tfjs-node never breaks `import '@encdec/core'`, and
 * - importing `@encdec/core` never changes TF.js's default backend (the wasm package registers
 *   itself with a higher priority than `cpu` on import, and an async backend as the default makes
 *   every op before `await tf.ready()` throw).
 * Each loader answers `{ok: true}` or `{ok: false, why}`; `why` says what to do about it.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { encdecKernels } from './kernels/register.js';
import { speedUpWasmMatMul } from './kernels/wasm-batch-mat-mul.js';
import { speedUpWasmGather } from './kernels/wasm-gather.js';
import { shareWasmData } from './kernels/wasm-share-data.js';
import { speedUpWasmSlice } from './kernels/wasm-slice.js';
import { speedUpWasmSum } from './kernels/wasm-sum.js';
import { speedUpWasmTopK } from './kernels/wasm-top-k.js';

/** The result of trying one backend. */
export type LoadResult = { ok: true } | { ok: false; why: string };

const tfjsNode = '@tensorflow/tfjs-node';

/**
 * The command that installs tfjs-node, matching our TF.js version. Its install script downloads
 * libtensorflow, so it needs internet access; npm >= 11 runs it only where the project's
 * package.json approves it in `allowScripts` (encdec's does). The README gives the same command.
 */
export function tfjsNodeInstallHint(): string {
  return `npm install ${tfjsNode}@${tf.version_core}`;
}

/**
 * The command that repairs a tfjs-node installed without running its install script (a project
 * whose `allowScripts` does not approve it): approve the script, then run it.
 */
export function tfjsNodeRebuildHint(): string {
  return `npm install-scripts approve ${tfjsNode} && npm rebuild ${tfjsNode}`;
}

/** First line of an error's message, for a log line that stays one line. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

/**
 * `tensorflow`: require tfjs-node (CommonJS) and switch to the backend it registers. `require`
 * resolves it from this package by default (tests pass one rooted elsewhere).
 */
export async function loadTensorflow(
  require: NodeJS.Require = createRequire(import.meta.url),
): Promise<LoadResult> {
  try {
    require.resolve(tfjsNode);
  } catch {
    return { ok: false, why: `${tfjsNode} is not installed (install: ${tfjsNodeInstallHint()})` };
  }
  try {
    require(tfjsNode);
  } catch (error) {
    return {
      ok: false,
      why:
        `${tfjsNode} is installed but does not load (${firstLine(error)}); its native binding ` +
        `is probably missing because npm skipped its install script (fix: ${tfjsNodeRebuildHint()})`,
    };
  }
  return switchTo('tensorflow');
}

/** `wasm`: import the wasm backend, check our kernels are there, and switch to it. */
export async function loadWasm(): Promise<LoadResult> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return { ok: false, why: `@tensorflow/tfjs-backend-wasm does not load (${firstLine(error)})` };
  }
  const missing = encdecKernels
    .filter((k) => k.backendName === 'wasm' && tf.getKernel(k.kernelName, 'wasm') === undefined)
    .map((k) => k.kernelName);
  if (missing.length > 0) {
    // Another copy of TF.js, or a kernel unregistered by hand: wasm would fail at the first
    // gradient of an Embedding, so it is not worth choosing.
    return { ok: false, why: `wasm lacks kernels needed for training: ${missing.join(', ')}` };
  }
  speedUpWasmMatMul();
  speedUpWasmSum();
  speedUpWasmGather();
  speedUpWasmTopK();
  speedUpWasmSlice();
  shareWasmData();
  return switchTo('wasm');
}

/** `cpu`: always registered by `@tensorflow/tfjs`. */
export async function loadCpu(): Promise<LoadResult> {
  return switchTo('cpu');
}

async function switchTo(name: string): Promise<LoadResult> {
  try {
    if (await tf.setBackend(name)) return { ok: true };
    return { ok: false, why: `tf.setBackend('${name}') failed` };
  } catch (error) {
    return { ok: false, why: `tf.setBackend('${name}') failed (${firstLine(error)})` };
  }
}
