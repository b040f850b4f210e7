/**
 * Decoder state as search sees it: any `tf.TensorContainer` whose tensors have one row per
 * hypothesis on axis 0. Search only ever walks it, gathers rows of it and disposes what it owns.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, stateRowsMismatch } from '../errors.js';

/** Every tensor in `container` with its path (`.h`, `[0].c`), depth first. */
export function tensorsOf(
  container: tf.TensorContainer,
  path = '',
): { path: string; tensor: tf.Tensor }[] {
  if (container instanceof tf.Tensor) return [{ path, tensor: container }];
  if (Array.isArray(container)) {
    return container.flatMap((item, i) => tensorsOf(item, `${path}[${i}]`));
  }
  if (isRecord(container)) {
    return Object.entries(container).flatMap(([key, item]) => tensorsOf(item, `${path}.${key}`));
  }
  return [];
}

/** `container` with each tensor replaced by `fn(tensor)`; other values are kept as they are. */
export function mapTensors<S extends tf.TensorContainer>(
  container: S,
  fn: (tensor: tf.Tensor) => tf.Tensor,
): S {
  if (container instanceof tf.Tensor) return fn(container) as S;
  if (Array.isArray(container)) return container.map((item) => mapTensors(item, fn)) as S;
  if (isRecord(container)) {
    const out: Record<string, tf.TensorContainer> = {};
    for (const [key, item] of Object.entries(container)) out[key] = mapTensors(item, fn);
    return out as S;
  }
  return container;
}

/** The batch size of an initial state: the common axis-0 size of its tensors. */
export function batchSizeOf(state: tf.TensorContainer, name = 'initialState'): number {
  const tensors = tensorsOf(state);
  if (tensors.length === 0) {
    throw invalidArgument(name, state, 'a state holding at least one tensor [batchSize, ...]');
  }
  const first = tensors[0]!;
  const batchSize = first.tensor.rank === 0 ? 0 : first.tensor.shape[0]!;
  if (batchSize < 1) throw stateRowsMismatch(name, first.path, first.tensor.shape, 1);
  checkRows(state, batchSize, name);
  return batchSize;
}

/** Throws unless every tensor of `state` has `rows` rows on axis 0. */
export function checkRows(state: tf.TensorContainer, rows: number, name: string): void {
  for (const { path, tensor } of tensorsOf(state)) {
    if (tensor.rank === 0 || tensor.shape[0] !== rows) {
      throw stateRowsMismatch(name, path, tensor.shape, rows);
    }
  }
}

/** Row `indices[i]` of every tensor of `state` becomes row i (new tensors; `state` is kept). */
export function gatherRows<S extends tf.TensorContainer>(state: S, indices: Int32Array): S {
  return tf.tidy(() => {
    const rows = tf.tensor1d(indices, 'int32');
    return mapTensors(state, (tensor) => tf.gather(tensor, rows));
  });
}

/**
 * Disposes the tensors of `old` that are neither in `next` nor in `keep` (the caller's own). A step
 * may pass a tensor of its input state through unchanged, which must then stay alive.
 */
export function release(
  old: tf.TensorContainer,
  next: tf.TensorContainer,
  keep: ReadonlySet<tf.Tensor>,
): void {
  const live = new Set(tensorsOf(next).map((t) => t.tensor));
  for (const { tensor } of tensorsOf(old)) {
    if (!live.has(tensor) && !keep.has(tensor)) tensor.dispose();
  }
}

function isRecord(value: unknown): value is Record<string, tf.TensorContainer> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !ArrayBuffer.isView(value) &&
    !Array.isArray(value)
  );
}
