/**
 * `initBackend`: pick the fastest TF.js backend that can train our models, switch to it, and say
 * in one log line which one and why.
 *
 *   1. The wish: the `backend` argument, else the `ENCDEC_BACKEND` variable, else none (automatic).
 *   2. The candidates: from the wish on down the list `tensorflow` -> `wasm` -> `cpu` (automatic
 *      starts at the top); a wished backend that fails falls back to the next one, with the reason.
 *   3. The first candidate that loads and accepts `tf.setBackend` wins; `cpu` always does.
 */
import { EncdecError, invalidArgument, unknownBackend } from '../errors.js';
import { BACKEND_NAMES, type BackendName, isBackendName } from './backend-name.js';
import { type LoadResult, loadCpu, loadTensorflow, loadWasm } from './load-backends.js';

/** Options of {@link initBackend}; every field may be left out. */
export interface InitBackendConfig {
  /**
   * The backend to use, or to try first (it falls back down the list `tensorflow` -> `wasm` ->
   * `cpu` when it cannot load). Overrides `ENCDEC_BACKEND`. Default: that variable, else automatic
   * (the first of the list that loads).
   */
  backend?: BackendName;
  /**
   * Where the one line naming the chosen backend goes. `null` or `false` silences it. Default
   * `console.log`: a notebook shows which backend its numbers come from.
   */
  log?: ((line: string) => void) | null | false;
}

/** What {@link initBackend} chose, and why, in words (the same words as the log line). */
export interface BackendChoice {
  backend: BackendName;
  reason: string;
}

/** The environment variable that picks a backend when the `backend` argument is absent. */
export const BACKEND_ENV_VAR = 'ENCDEC_BACKEND';

/** How each backend is loaded; tests swap these for fakes (tfjs-node is absent here). */
export type BackendLoaders = Record<BackendName, () => Promise<LoadResult>>;

const realLoaders: BackendLoaders = { tensorflow: loadTensorflow, wasm: loadWasm, cpu: loadCpu };

/** Why each backend is worth having, said when it is chosen automatically. */
const strengths: Record<BackendName, string> = {
  tensorflow: 'native TensorFlow through @tensorflow/tfjs-node, the fastest',
  wasm: 'WebAssembly with encdec kernels, trains much faster than cpu',
  cpu: 'plain JavaScript, the slowest',
};

/**
 * Chooses and activates a TF.js backend (see the steps at the top of this file). Call it once,
 * before building models: importing `@encdec/core` does not change the backend by itself.
 *
 * @throws EncdecError when `backend` or `ENCDEC_BACKEND` is not a backend name.
 */
export async function initBackend(config: InitBackendConfig = {}): Promise<BackendChoice> {
  const envValue = typeof process === 'undefined' ? undefined : process.env[BACKEND_ENV_VAR];
  return selectBackend(config, envValue, realLoaders);
}

/** {@link initBackend} with the environment value and the loaders passed in (for tests). */
export async function selectBackend(
  config: InitBackendConfig,
  envValue: string | undefined,
  loaders: BackendLoaders,
): Promise<BackendChoice> {
  const log = checkLog(config);
  // 1. The wish.
  const wish = readWish(config, envValue);
  // 2. The candidates, from the wish on down.
  const start = wish === undefined ? 0 : BACKEND_NAMES.indexOf(wish.backend);
  const failures: string[] = [];
  // 3. The first that loads.
  for (const backend of BACKEND_NAMES.slice(start)) {
    const result = await loaders[backend]();
    if (!result.ok) {
      failures.push(`${backend}: ${result.why}`);
      continue;
    }
    const reason = explain(backend, wish, failures);
    if (log) log(`encdec: TF.js backend "${backend}" (${reason})`);
    return { backend, reason };
  }
  throw new EncdecError(`No TF.js backend could be started: ${failures.join('; ')}.`, 'backend');
}

function checkLog(config: InitBackendConfig): ((line: string) => void) | undefined {
  if (config === null || typeof config !== 'object') {
    throw invalidArgument('config', config, 'an object like {backend?, log?}');
  }
  const { log } = config;
  if (log === undefined) return (line) => console.log(line);
  if (log === null || log === false) return undefined;
  if (typeof log !== 'function') {
    throw invalidArgument('log', log, 'a function (line: string) => void, null or false');
  }
  return log;
}

interface Wish {
  backend: BackendName;
  /** Where the wish came from, as a user would write it: `backend: "cpu"`, `ENCDEC_BACKEND=cpu`. */
  source: string;
}

function readWish(config: InitBackendConfig, envValue: string | undefined): Wish | undefined {
  if (config.backend !== undefined) {
    if (!isBackendName(config.backend)) throw unknownBackend('backend', config.backend);
    return { backend: config.backend, source: `backend: "${config.backend}" was asked for` };
  }
  const value = envValue?.trim();
  if (value === undefined || value === '') return undefined;
  if (!isBackendName(value)) throw unknownBackend(BACKEND_ENV_VAR, envValue);
  return { backend: value, source: `${BACKEND_ENV_VAR}=${value}` };
}

/** The reason of the log line: the wish, what failed on the way, and what was chosen. */
function explain(chosen: BackendName, wish: Wish | undefined, failures: string[]): string {
  const parts = [wish?.source ?? 'automatic', ...failures];
  if (wish === undefined || failures.length > 0)
    parts.push(`using ${chosen}: ${strengths[chosen]}`);
  return parts.join('; ');
}
