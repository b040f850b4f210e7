/**
 * The TF.js backends encdec knows, fastest first, and the guard that checks a user's string.
 */

/**
 * `tensorflow`: native TensorFlow through `@tensorflow/tfjs-node` (optional; fastest).
 * `wasm`: `@tensorflow/tfjs-backend-wasm` with encdec's kernels (trains much faster than
 *   `cpu`: bench/PERFORMANCE.md).
 * `cpu`: plain JavaScript, always there (slowest).
 */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;

/** One of {@link BACKEND_NAMES}. */
export type BackendName = (typeof BACKEND_NAMES)[number];

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_NAMES as readonly string[]).includes(value);
}
