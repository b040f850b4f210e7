/**
 * An optimizer's state (its step count, and Adam's moments or RMSprop's running averages), saved
 * with the model as Keras does, so that training after a reload continues where it stopped
 * instead of restarting the moments from zero.
 *
 * `tf.Optimizer.getWeights()` lists the step count, then the state variables, one block per kind
 * (Adam: every first moment, then every second moment), each block in the order of the variables
 * it trains; `setWeights()` takes the same list back. Adam also keeps beta1^t and beta2^t for its
 * bias correction (Kingma & Ba 2015, Algorithm 1) as running float32 products; `setWeights()`
 * recomputes them with one `pow`, which differs from the product in the last bits after a few
 * steps. They are saved too (after the list), so that the steps after a reload are the same.
 */
import * as tf from '@tensorflow/tfjs';

/** The state as bytes plus the manifest that describes them (as a weights file). */
export interface EncodedOptimizerState {
  className: string;
  weightSpecs: tf.io.WeightsManifestEntry[];
  data: Uint8Array;
}

/** Names of Adam's running powers in the saved state (TF.js names of its private fields). */
const ADAM_POWERS = ['accBeta1', 'accBeta2'] as const;
const POWER_PREFIX = 'encdec/adam/';

/** Adam's running powers, by saved name; empty for other optimizers. */
function adamPowers(optimizer: tf.Optimizer): Map<string, tf.Variable> {
  const powers = new Map<string, tf.Variable>();
  if (!(optimizer instanceof tf.AdamOptimizer)) return powers;
  const fields = optimizer as unknown as Record<string, unknown>;
  for (const field of ADAM_POWERS) {
    const variable = fields[field];
    if (variable instanceof tf.Variable) powers.set(`${POWER_PREFIX}${field}`, variable);
  }
  return powers;
}

/** Reads `optimizer`'s state. */
export async function encodeOptimizerState(
  optimizer: tf.Optimizer,
): Promise<EncodedOptimizerState> {
  const named = await optimizer.getWeights();
  for (const [name, tensor] of adamPowers(optimizer)) named.push({ name, tensor });
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    return { className: optimizer.getClassName(), weightSpecs: specs, data: new Uint8Array(data) };
  } finally {
    // The step count comes as a new scalar; the rest are the optimizer's own variables.
    tf.dispose(named.map((n) => n.tensor).filter((t) => !(t instanceof tf.Variable)));
  }
}

/**
 * Why `state` cannot be `optimizer`'s (another optimizer, or state for other variables), or
 * undefined when it fits `trainable`, the variables the optimizer trains, in training order.
 */
export function optimizerStateMismatch(
  optimizer: tf.Optimizer,
  state: Omit<EncodedOptimizerState, 'data'>,
  trainable: readonly { shape: readonly (number | null)[] }[],
): string | undefined {
  if (state.className !== optimizer.getClassName()) {
    return `the optimizer state is ${state.className}'s but the config makes ${optimizer.getClassName()}`;
  }
  const variables = state.weightSpecs
    .slice(1)
    .filter((spec) => !spec.name.startsWith(POWER_PREFIX));
  const fits =
    variables.length === 0 ||
    (trainable.length > 0 &&
      variables.length % trainable.length === 0 &&
      variables.every((spec, i) => {
        const shape = trainable[i % trainable.length]!.shape;
        return spec.shape.join() === shape.join();
      }));
  return fits
    ? undefined
    : `its ${variables.length} optimizer state variables do not fit the model's ${trainable.length} trainable weights`;
}

/** Gives `optimizer` the state `state` (checked with `optimizerStateMismatch` first). */
export async function restoreOptimizerState(
  optimizer: tf.Optimizer,
  state: EncodedOptimizerState,
): Promise<void> {
  const { data, weightSpecs } = state;
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  const decoded = tf.io.decodeWeights(buffer as ArrayBuffer, weightSpecs);
  try {
    const powers = adamPowers(optimizer);
    const listed = weightSpecs.filter((spec) => !powers.has(spec.name));
    await optimizer.setWeights(
      listed.map((spec) => ({ name: spec.name, tensor: decoded[spec.name]! })),
    );
    for (const [name, variable] of powers) {
      const value = decoded[name];
      if (value !== undefined) variable.assign(value);
    }
  } finally {
    // setWeights made variables of its own from these.
    tf.dispose(Object.values(decoded));
  }
}
