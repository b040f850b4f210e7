/**
 * A model's layer table as TF.js's `LayersModel.summary` prints it, with every column as wide as
 * its widest entry. TF.js's fixed widths (115 characters for a functional model, split 24/24/22/
 * 10/20%) cut class names such as `EncdecFusedLstm` to "EncdecFusedL" and a recurrent layer's
 * list of output shapes in the middle.
 */
import type * as tf from '@tensorflow/tfjs';

/** Prints one line of the summary. */
export type PrintFn = (line: string) => void;

/** Characters per column while measuring: wider than any entry, so that nothing is cut. */
const PROBE_WIDTH = 1_000;
/** A functional model's columns: layer (type), input shape, output shape, param #, inputs. */
const MAX_COLUMNS = 5;
/** Spaces between two columns. */
const GAP = 2;

/**
 * Prints `model`'s summary (layers, shapes, parameter counts, total) through `printFn`, one line
 * per call, with no entry cut.
 */
export function printSummary(model: tf.LayersModel, printFn: PrintFn = console.log): void {
  // 1. Print into a buffer with very wide columns: column i is [i * PROBE_WIDTH, (i + 1) * ...).
  const probe = Array.from({ length: MAX_COLUMNS }, (_, i) => (i + 1) * PROBE_WIDTH);
  const lines: string[] = [];
  model.summary(probe.at(-1), probe, (line: unknown) => lines.push(String(line)));
  // 2. The widest entry of each column. Table rows are padded to the end of their last column;
  //    the rules (a line of "_" or "=") and the totals below the table are not rows.
  const rows = lines.filter((line) => line.length >= PROBE_WIDTH && !/^(.)\1*$/.test(line));
  const widths = probe
    .map((end) =>
      Math.max(0, ...rows.map((row) => row.slice(end - PROBE_WIDTH, end).trim().length)),
    )
    .filter((width) => width > 0); // a model TF.js calls sequential-like has no input column
  // 3. Print again, each column ending GAP characters after its widest entry.
  const positions: number[] = [];
  for (const width of widths) positions.push((positions.at(-1) ?? 0) + width + GAP);
  model.summary(positions.at(-1), positions, (line: unknown) => printFn(String(line).trimEnd()));
}
