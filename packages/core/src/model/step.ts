/**
 * One decoder step, the `StepFn` contract of search: tokens int32 [rows] and the carried state
 * -> logits [rows, vocabSize], the next state, the attention weights [rows, srcLen]. The
 * decoder's layers run on [rows, 1]; nothing of the sequence so far is recomputed.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors.js';
import type { StepOutput } from '../search/types.js';
import type { EncoderOutputs } from './encoder.js';
import { tidyResult } from './tidy.js';

/**
 * The decoder state between steps; every tensor has one row per hypothesis on axis 0, so search
 * can reorder rows. encOutputs [rows, srcLen, units] and srcMask [rows, srcLen] travel along only
 * when the decoder attends.
 */
export type RecurrentState = {
  h: tf.Tensor2D;
  c?: tf.Tensor2D;
  encOutputs?: tf.Tensor3D;
  srcMask?: tf.Tensor2D;
};

/**
 * What a step needs of the recurrent decoder (decoder.ts's `Decoder` has it; named here so that
 * this file does not import decoder.ts, which imports it).
 */
export interface RecurrentStepper {
  /** Whether the decoder attends over the encoder outputs. */
  readonly attends: boolean;
  /** 2 for an LSTM ([h, c]), else 1 ([h]). */
  readonly stateCount: 1 | 2;
  /** The decoder's layers run eagerly on tgtIn [rows, 1] from `initialStates`. */
  run(
    tgtIn: tf.Tensor,
    initialStates: tf.Tensor[],
    memory?: { outputs: tf.Tensor; srcMask: tf.Tensor },
  ): { logits: tf.Tensor; states: tf.Tensor[]; attention?: tf.Tensor };
}

/** The state before the first step, from the encoder's outputs (taken over, or disposed). */
export function initialState(encoded: EncoderOutputs<tf.Tensor>, attends: boolean): RecurrentState {
  const { outputs, states, srcMask } = encoded;
  const state: RecurrentState = { h: states[0] as tf.Tensor2D };
  if (states[1]) state.c = states[1] as tf.Tensor2D;
  if (attends) {
    state.encOutputs = outputs as tf.Tensor3D;
    state.srcMask = srcMask as tf.Tensor2D;
  } else {
    tf.dispose([outputs, srcMask]);
  }
  return state;
}

/**
 * Reads but never disposes its arguments; every returned tensor is new and the caller's to
 * dispose (search disposes old states while the caller keeps the initial one).
 */
export function decodeStep(
  decoder: RecurrentStepper,
  tokens: tf.Tensor1D,
  state: RecurrentState,
): StepOutput<RecurrentState> {
  checkTokens(tokens);
  const attends = decoder.attends;
  const states = [state?.h, ...(decoder.stateCount === 2 ? [state?.c] : [])];
  const memory = attends ? [state?.encOutputs, state?.srcMask] : [];
  checkRows('state.h', states[0], tokens.shape[0]);
  if (states.length === 2) checkRows('state.c', states[1], tokens.shape[0]);
  if (attends) {
    checkRows('state.encOutputs', memory[0], tokens.shape[0]);
    checkRows('state.srcMask', memory[1], tokens.shape[0]);
  }
  return tidyResult(() => {
    const rows = tokens.shape[0];
    const step = decoder.run(
      tf.reshape(tokens, [rows, 1]), // [rows, 1]
      states as tf.Tensor[],
      attends ? { outputs: memory[0]!, srcMask: memory[1]! } : undefined,
    );
    const next: RecurrentState = { h: step.states[0] as tf.Tensor2D };
    if (step.states[1]) next.c = step.states[1] as tf.Tensor2D;
    if (attends) {
      // New handles on the same data: the caller may dispose the state it passed in.
      next.encOutputs = tf.clone(memory[0]!) as tf.Tensor3D;
      next.srcMask = tf.clone(memory[1]!) as tf.Tensor2D;
    }
    const out: StepOutput<RecurrentState> = {
      logits: tf.reshape(step.logits, [rows, -1]) as tf.Tensor2D, // [rows, vocabSize]
      state: next,
    };
    if (step.attention) out.attention = tf.reshape(step.attention, [rows, -1]); // [rows, srcLen]
    return out;
  });
}

/** Throws unless `tokens` is an int32 tensor [rows], the tokens of one decoding step. */
export function checkTokens(tokens: tf.Tensor1D): void {
  if (!(tokens instanceof tf.Tensor) || tokens.rank !== 1 || tokens.dtype !== 'int32') {
    throw invalidArgument(
      'tokens',
      tokens instanceof tf.Tensor ? `${tokens.dtype} ${JSON.stringify(tokens.shape)}` : tokens,
      'an int32 tensor [rows]',
    );
  }
}

function checkRows(name: string, t: tf.Tensor | undefined, rows: number): void {
  if (!(t instanceof tf.Tensor) || t.shape[0] !== rows) {
    throw invalidArgument(
      name,
      t instanceof tf.Tensor ? t.shape : t,
      `a tensor with ${rows} rows (one per token)`,
    );
  }
}
