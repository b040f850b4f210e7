/**
 * Checks shared by every search: the options, and what a step function returns (checked at every
 * step, since a wrong shape would otherwise surface as a confusing error deep inside a gather).
 */

import * as tf from '@tensorflow/tfjs';
import { checkInteger } from '../checks.js';
import { invalidArgument, invalidStepOutput } from '../errors.js';
import { checkRows } from './state.js';
import type { SearchOptions, StepOutput } from './types.js';

/** Throws unless `value` is undefined or a boolean. */
export function checkFlag(name: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    throw invalidArgument(name, value, 'true or false');
  }
  return value === true;
}

/**
 * The shared options, checked, with defaults filled in; `vocabSize` is the step's own (see
 * `StepFn`), when it has one.
 */
export function checkSearchOptions(
  options: SearchOptions,
  vocabSize?: number,
): Required<SearchOptions> {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument('options', options, 'an object with startId, endId and maxLength');
  }
  const checked = {
    startId: checkInteger('startId', options.startId, 0),
    endId: checkInteger('endId', options.endId, 0),
    maxLength: checkInteger('maxLength', options.maxLength, 1),
    collectAttention: checkFlag('collectAttention', options.collectAttention),
  };
  if (vocabSize !== undefined) {
    checkTokenId('startId', checked.startId, vocabSize);
    checkTokenId('endId', checked.endId, vocabSize);
  }
  return checked;
}

/** Throws unless the token `id` is in [0, vocabSize). */
function checkTokenId(name: string, id: number, vocabSize: number): void {
  if (id >= vocabSize) {
    throw invalidArgument(name, id, `an integer in [0, vocabSize) = [0, ${vocabSize})`);
  }
}

/** What the first step taught about the model: sizes later steps must repeat. */
export interface StepSizes {
  vocabSize?: number;
  srcLen?: number;
}

/**
 * Throws unless `out` is a valid step output for `rows` hypotheses; returns the sizes it shows.
 * `endId` must be a class of the output vocabulary (`startId` need not be: it is only an input).
 */
export function checkStepOutput<S extends tf.TensorContainer>(
  out: StepOutput<S>,
  rows: number,
  sizes: StepSizes,
  endId: number,
  collectAttention: boolean,
): Required<StepSizes> {
  const given = (['logits', 'logProbs'] as const).filter((k) => out?.[k] !== undefined);
  if (given.length !== 1) {
    throw invalidStepOutput(
      'logits',
      given.length === 0 ? out?.logits : '(both logits and logProbs)',
      'or logProbs (exactly one of them) as a tf.Tensor2D [rows, vocabSize]',
    );
  }
  const field = given[0]!;
  const scores = out[field] as unknown;
  if (!(scores instanceof tf.Tensor)) {
    throw invalidStepOutput(field, scores, 'as a tf.Tensor2D [rows, vocabSize]');
  }
  const vocabSize = sizes.vocabSize ?? scores.shape[1] ?? 0;
  if (
    scores.rank !== 2 ||
    scores.shape[0] !== rows ||
    scores.shape[1] !== vocabSize ||
    vocabSize < 1
  ) {
    throw invalidStepOutput(
      field,
      scores.shape,
      `of shape [rows, vocabSize] = [${rows}, ${sizes.vocabSize ?? 'vocabSize'}]`,
    );
  }
  checkTokenId('endId', endId, vocabSize);
  checkRows(out.state, rows, 'step().state');
  let srcLen = sizes.srcLen ?? 0;
  if (collectAttention) {
    const attention = out.attention as unknown;
    if (!(attention instanceof tf.Tensor)) {
      throw invalidStepOutput('attention', attention, 'as a tf.Tensor2D [rows, srcLen]');
    }
    srcLen = sizes.srcLen ?? attention.shape[1] ?? 0;
    if (attention.rank !== 2 || attention.shape[0] !== rows || attention.shape[1] !== srcLen) {
      throw invalidStepOutput(
        'attention',
        attention.shape,
        `of shape [rows, srcLen] = [${rows}, ${sizes.srcLen ?? 'srcLen'}]`,
      );
    }
  }
  return { vocabSize, srcLen };
}
