import type * as tf from '@tensorflow/tfjs';

/**
 * Works around TF.js 4.22's graph executor (tfjs-layers/src/engine/executor.ts), which passes ONE kwargs object
 * to every layer of a functional model it runs: an RNN writes its initialState into it and the
 * executor writes each masked layer's mask into it, so both reach every later layer (a
 * re-run of the encoder RNN throws, the decoder RNN is masked with the source mask). The
 * executor always passes a layer's inputs as an array, and states arrive inside that array, so
 * for array inputs a stale `initialState` is dropped, and a stale `mask` too unless `keepMask`
 * (the encoder's recurrent layers, whose own input carries the mask the executor just set).
 * Direct calls with a single tensor, as the eager code makes them, pass through unchanged.
 */
export function guardExecutorKwargs(layer: tf.layers.Layer, keepMask: boolean): void {
  const apply = layer.apply.bind(layer);
  layer.apply = (inputs, kwargs) => {
    if (!Array.isArray(inputs) || kwargs == null) return apply(inputs, kwargs);
    const { initialState: _stale, mask, ...rest } = kwargs;
    return apply(inputs, keepMask && mask !== undefined ? { ...rest, mask } : rest);
  };
}
