/**
 * Teacher forcing (Williams & Zipser 1989): during training the decoder reads the true previous
 * token, not its own prediction. For a target row [y1 .. yn, end, 0 ...] the decoder input is
 * [start, y1 .. yn, end ...] cut to the same length: the row shifted right behind `startId`.
 */
import { invalidArgument } from '../errors.js';

/** Each row shifted right by one, `startId` first, the last token dropped. */
export function shiftRight(
  targets: readonly (readonly number[] | Int32Array)[],
  startId: number,
): number[][] {
  if (!Number.isInteger(startId) || startId < 0) {
    throw invalidArgument('startId', startId, 'a non-negative integer token id');
  }
  if (!Array.isArray(targets)) throw invalidArgument('targets', targets, 'a list of token-id rows');
  return targets.map((row) => [
    startId,
    ...Array.from(row as ArrayLike<number>).slice(0, row.length - 1),
  ]);
}
