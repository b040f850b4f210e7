/**
 * The rows the training loop (fit.ts) and evaluation (evaluate.ts) read: a `Dataset` pairs input
 * rows with target rows; its row count is checked, rows are sliced out of it, and the validation
 * rows are held out of it as Keras and TF.js split them.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, rowCountMismatch, validationSplitTooSmall } from '../errors.js';

/** Rows that pair up: inputs[i] row r goes with targets row r (int32 [rows, tgtLen]). */
export interface Dataset {
  inputs: tf.Tensor[];
  targets: tf.Tensor;
}

/**
 * The training rows (the first `trainRows` of `data`) and the validation rows: `validationData`
 * when given, else the rest of `data` by `split` (new tensors: dispose them with
 * `disposeDataset`), else none.
 */
export function holdOut(
  data: Dataset,
  split: number,
  validationData: Dataset | undefined,
): { trainRows: number; validation: Dataset | undefined } {
  const rows = checkDataset('data', data);
  // Keras' and TF.js's split (keras train_validation_split, tfjs-layers training.ts fit):
  // split_at = floor(rows * (1 - validationSplit)); rows [0, split_at) train, the rest validate.
  const trainRows = validationData || split === 0 ? rows : Math.floor(rows * (1 - split));
  const held = rows - trainRows;
  if (!validationData && split > 0 && (held === 0 || trainRows === 0)) {
    throw validationSplitTooSmall(split, rows, trainRows);
  }
  const validation = validationData ?? (held > 0 ? sliceRows(data, trainRows, held) : undefined);
  if (validationData) checkDataset('validationData', validationData);
  return { trainRows, validation };
}

/** Rows [start, start + size) of every tensor of `data` (new tensors). */
export function sliceRows(data: Dataset, start: number, size: number): Dataset {
  const take = (x: tf.Tensor) => tf.slice(x, start, size);
  return { inputs: data.inputs.map(take), targets: take(data.targets) };
}

export function disposeDataset(data: Dataset): void {
  tf.dispose([...data.inputs, data.targets]);
}

/** Row count of `data`, after checking that every tensor has it. */
export function checkDataset(name: string, data: Dataset): number {
  const rows = data.targets.shape[0] ?? 0;
  if (data.targets.rank !== 2 || rows < 1) {
    throw invalidArgument(
      `${name} targets`,
      data.targets.shape,
      'int32 [rows, tgtLen] with rows >= 1',
    );
  }
  for (const x of data.inputs) {
    if (x.shape[0] !== rows) throw rowCountMismatch(`${name} targets`, rows, x.shape[0] ?? 0);
  }
  return rows;
}
