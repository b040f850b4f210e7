/**
 * Synthetic sequence tasks for trying a seq2seq model in a minute: random token rows and a target
 * derived from each (reversed, copied or sorted). Nothing to download, and a model that learns the task
 * reaches exact match 1, so every part of training and search is easy to check.
 *
 * Ids follow the package's reserved ids (docs/GLOSSARY.md): 0 <PAD>, 1 <START> (fed to the decoder
 * first), 2 <UNK> (never produced: a synthetic task has no unknown words), 3 <END> (closes every
 * target); the symbols are 4 .. vocabSize - 1.
 *
 *   src    [count, maxLength]      symbols, post-padded with 0
 *   tgtOut [count, maxLength + 1]  target symbols, then END, post-padded with 0
 *   tgtIn  [count, maxLength + 1]  tgtOut shifted right behind START (teacher forcing)
 */
import seedrandom from 'seedrandom';
import { invalidArgument } from '../errors.js';
import { shiftRight } from '../preprocess/teacher-forcing.js';

/** What the target is: the source 'reverse'd, a 'copy' of it, or its symbols in ascending order ('sort'). */
export const SEQUENCE_TASKS = ['reverse', 'copy', 'sort'] as const;
export type SequenceTask = (typeof SEQUENCE_TASKS)[number];

export interface SequenceTaskOptions {
  /**
   * 'reverse' (default: the classic test of attention, Sutskever et al. 2014), 'copy', or 'sort'
   * (each output depends on the whole source, not on one aligned position).
   */
  task?: SequenceTask;
  /** Rows to make. */
  count: number;
  /** Ids in all, reserved ones included; at least 5. Default 14 (10 symbols: quick to learn). */
  vocabSize?: number;
  /** Fewest symbols in a source row. Default 3. */
  minLength?: number;
  /** Most symbols in a source row. Default 8. */
  maxLength?: number;
  /** Seed of the generator; the same seed gives the same rows. Default 1. */
  seed?: number | string;
}

/** The rows of a synthetic task; see the file comment for the shapes. */
export interface SequenceTaskData {
  src: number[][];
  tgtIn: number[][];
  tgtOut: number[][];
  /** Each target without END and padding, as search results are compared to it. */
  targets: number[][];
}

export const TASK_PAD_ID = 0;
export const TASK_START_ID = 1;
// Id 2 is the unknown word's (`Vocabulary.UNK_ID`), which a synthetic task never produces.
export const TASK_END_ID = 3;
/** The first symbol id: the ids below it are reserved. */
const FIRST_SYMBOL = 4;

/** Random rows of `task` (see the file comment). */
export function sequenceTask(options: SequenceTaskOptions): SequenceTaskData {
  const { task = 'reverse', count, vocabSize = 14, minLength = 3, maxLength = 8 } = options;
  if (!(SEQUENCE_TASKS as readonly string[]).includes(task)) {
    throw invalidArgument('task', task, `one of ${SEQUENCE_TASKS.join(', ')}`);
  }
  if (!(Number.isInteger(count) && count > 0)) {
    throw invalidArgument('count', count, 'a positive integer');
  }
  if (!(Number.isInteger(vocabSize) && vocabSize > FIRST_SYMBOL)) {
    throw invalidArgument('vocabSize', vocabSize, 'an integer >= 5 (4 reserved ids + a symbol)');
  }
  if (!(Number.isInteger(minLength) && minLength >= 1)) {
    throw invalidArgument('minLength', minLength, 'a positive integer');
  }
  if (!(Number.isInteger(maxLength) && maxLength >= minLength)) {
    throw invalidArgument('maxLength', maxLength, `an integer >= minLength (${minLength})`);
  }
  const random = seedrandom(String(options.seed ?? 1));
  const symbols = vocabSize - FIRST_SYMBOL;
  const pad = (row: number[], width: number) => [
    ...row,
    ...new Array<number>(width - row.length).fill(TASK_PAD_ID),
  ];
  const src: number[][] = [];
  const targets: number[][] = [];
  const tgtOut: number[][] = [];
  for (let i = 0; i < count; i++) {
    const length = minLength + Math.floor(random() * (maxLength - minLength + 1));
    const row = Array.from({ length }, () => FIRST_SYMBOL + Math.floor(random() * symbols));
    const target =
      task === 'reverse'
        ? [...row].reverse()
        : task === 'sort'
          ? [...row].sort((a, b) => a - b)
          : [...row];
    src.push(pad(row, maxLength));
    targets.push(target);
    tgtOut.push(pad([...target, TASK_END_ID], maxLength + 1));
  }
  return { src, tgtIn: shiftRight(tgtOut, TASK_START_ID), tgtOut, targets };
}
