/**
 * The fused recurrent layers behave as registered layers with the stock layers' weights: config
 * round trip, save/load round trip, weights interchangeable with a stock layer's by name,
 * Bidirectional wrapping, dropout only while training, and the stock path for settings the
 * fused op does not implement. Their gates default to the logistic sigmoid and the GRU to
 * reset-after (Keras 2+, PyTorch), TF.js's forms being options. No tensor leaks. Building one
 * does not warn about a small orthogonal initializer.
 */
import { FusedGru, FusedLstm } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, type Mock, vi } from 'vitest';
import { quietOrthogonal } from '../../../packages/core/src/fused/fused-layer.js';

const x = () => tf.randomNormal([2, 6, 3], 0, 1, 'float32', 1);

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Builds `layer` by applying it to `input` (or zeros of that shape), disposing what it makes. */
function build(layer: tf.layers.Layer, input: tf.Tensor | number[]): void {
  tf.tidy(() => {
    layer.apply(Array.isArray(input) ? tf.zeros(input) : input);
  });
}

function sequential(layer: tf.layers.Layer): tf.Sequential {
  const model = tf.sequential();
  model.add(layer);
  return model;
}

describe('FusedLstm as a registered layer', () => {
  it('round-trips its config under its own class name', () => {
    const layer = new FusedLstm({
      units: 4,
      returnSequences: true,
      goBackwards: true,
      dropout: 0.25,
    });
    const config = layer.getConfig();
    // Registered when @encdec/core is imported.
    const [cls, fromConfig] =
      tf.serialization.SerializationMap.getMap().classNameMap.EncdecFusedLstm!;
    const copy = fromConfig(cls, JSON.parse(JSON.stringify(config))) as tf.RNN;
    expect(copy).toBeInstanceOf(FusedLstm);
    expect(copy.getConfig()).toEqual(layer.getConfig());
  });

  it('saves and loads through tf.io with equal outputs', async () => {
    const before = tf.memory().numTensors;
    const model = sequential(
      new FusedLstm({ units: 4, inputShape: [6, 3], returnSequences: true }),
    );
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(JSON.stringify(saved!.modelTopology)).toContain('"class_name":"EncdecFusedLstm"');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const input = x();
    const [a, b] = [model.predict(input) as tf.Tensor, loaded.predict(input) as tf.Tensor];
    expect(maxDiff(a, b)).toBe(0);
    tf.dispose([input, a, b]);
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('has the stock layer weight names and shapes, so weights move either way', () => {
    // TF.js's LSTM defaults to hardSigmoid gates, FusedLstm to Keras 2+'s sigmoid.
    const stock = sequential(
      tf.layers.lstm({ name: 'enc', units: 4, inputShape: [6, 3], recurrentActivation: 'sigmoid' }),
    );
    const fused = sequential(new FusedLstm({ name: 'enc', units: 4, inputShape: [6, 3] }));
    const describe = (m: tf.LayersModel) => m.weights.map((w) => `${w.originalName} ${w.shape}`);
    expect(describe(fused)).toEqual(describe(stock));
    expect(describe(fused)).toEqual([
      'enc/kernel 3,16',
      'enc/recurrent_kernel 4,16',
      'enc/bias 16',
    ]);
    fused.setWeights(stock.getWeights());
    const input = x();
    const [a, b] = [stock.predict(input) as tf.Tensor, fused.predict(input) as tf.Tensor];
    expect(maxDiff(a, b)).toBeLessThan(1e-6);
    tf.dispose([input, a, b]);
    stock.dispose();
    fused.dispose();
  });

  it('wraps in Bidirectional like the stock layer', () => {
    const wrap = (layer: tf.RNN) =>
      sequential(
        tf.layers.bidirectional({ name: 'bi', layer, inputShape: [6, 3], mergeMode: 'concat' }),
      );
    const stock = wrap(tf.layers.gru({ name: 'g', units: 4, returnSequences: true }));
    const fused = wrap(
      new FusedGru({
        name: 'g',
        units: 4,
        returnSequences: true,
        resetAfter: false, // TF.js's GRU, with its gates
        recurrentActivation: 'hardSigmoid',
      }),
    );
    expect(fused.weights.map((w) => w.originalName)).toEqual(
      stock.weights.map((w) => w.originalName),
    );
    fused.setWeights(stock.getWeights());
    const input = x();
    const [a, b] = [stock.predict(input) as tf.Tensor, fused.predict(input) as tf.Tensor];
    expect(a.shape).toEqual([2, 6, 8]);
    expect(maxDiff(a, b)).toBeLessThan(1e-6);
    tf.dispose([input, a, b]);
    stock.dispose();
    fused.dispose();
  });

  it('drops inputs only while training, with one mask per sequence', () => {
    const plain = new FusedLstm({ units: 4, returnSequences: true });
    const dropped = new FusedLstm({ units: 4, returnSequences: true, dropout: 0.5 });
    // Constant inputs over time: a per-sequence mask keeps them constant, so a dropped input
    // feature is dropped at every step, which equals running on the masked input.
    const input = tf.tidy(() => tf.tile(tf.randomNormal([2, 1, 3], 0, 1, 'float32', 2), [1, 6, 1]));
    build(plain, input);
    build(dropped, input);
    dropped.setWeights(plain.getWeights());
    // Counted once the layers are built: building a stock LSTM leaves one tensor behind (TF.js).
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const inference = dropped.apply(input, { training: false }) as tf.Tensor;
      expect(maxDiff(inference, plain.apply(input) as tf.Tensor)).toBe(0);
      const training = dropped.apply(input, { training: true }) as tf.Tensor;
      expect(maxDiff(training, inference)).toBeGreaterThan(1e-3);
    });
    expect(tf.memory().numTensors).toBe(before);
    plain.dispose();
    dropped.dispose();
    input.dispose();
  });

  it('names initialState when it has the wrong number of tensors', () => {
    const layer = new FusedLstm({ name: 'dec', units: 4 });
    const input = x();
    const h = tf.zeros([2, 4]);
    build(layer, input); // builds it
    // apply() rejects this itself (TF.js's words); call() is what the executor reaches.
    expect(() => layer.call(input, { initialState: [h] })).toThrow(
      'initialState must be 2 tensors [h, c] for layer "dec", got "1 tensors".',
    );
    tf.dispose([input, h]);
    layer.dispose();
  });

  it('falls back to the stock call for recurrentDropout, with the same results', () => {
    const stock = tf.layers.lstm({
      units: 4,
      recurrentDropout: 0.3,
      returnSequences: true,
      recurrentActivation: 'sigmoid',
    });
    const fused = new FusedLstm({ units: 4, recurrentDropout: 0.3, returnSequences: true });
    const input = x();
    build(stock, input);
    build(fused, input);
    fused.setWeights(stock.getWeights());
    tf.tidy(() => {
      expect(maxDiff(stock.apply(input) as tf.Tensor, fused.apply(input) as tf.Tensor)).toBe(0);
    });
    input.dispose();
    stock.dispose();
    fused.dispose();
  });
});

describe('gates and GRU form', () => {
  const gateOf = (layer: tf.RNN) => layer.getConfig().recurrentActivation;

  it("default to Keras 2+'s: sigmoid gates, the reset-after GRU with bias [2, 3 units]", () => {
    const lstm = new FusedLstm({ units: 4 });
    const gru = new FusedGru({ units: 4 });
    expect([gateOf(lstm), gateOf(gru)]).toEqual(['sigmoid', 'sigmoid']);
    expect(gru.getConfig().resetAfter).toBe(true);
    build(gru, [1, 2, 3]);
    expect(gru.weights.map((w) => w.shape)).toEqual([
      [3, 12],
      [4, 12],
      [2, 12],
    ]);
    const hard = new FusedLstm({ units: 4, recurrentActivation: 'hardSigmoid' });
    const before = new FusedGru({ units: 4, resetAfter: false });
    expect(gateOf(hard)).toBe('hardSigmoid');
    expect(before.getConfig().resetAfter).toBe(false);
    gru.dispose(); // the only one built
  });

  it('reads a reset-before config (TF.js GRU) as reset-before, and its own back', () => {
    // Registered when @encdec/core is imported.
    const [cls, fromConfig] =
      tf.serialization.SerializationMap.getMap().classNameMap.EncdecFusedGru!;
    const stockConfig = tf.layers.gru({ units: 4 }).getConfig();
    const fromStock = fromConfig(cls, JSON.parse(JSON.stringify(stockConfig))) as FusedGru;
    expect([fromStock.resetAfter, gateOf(fromStock)]).toEqual([false, 'hardSigmoid']);
    const own = new FusedGru({ units: 4, returnSequences: true });
    const copy = fromConfig(cls, JSON.parse(JSON.stringify(own.getConfig()))) as FusedGru;
    expect(copy.resetAfter).toBe(true);
    expect(copy.getConfig()).toEqual(own.getConfig());
  });

  it('clones a reset-after GRU into Bidirectional with both biases', () => {
    const bi = sequential(
      tf.layers.bidirectional({
        layer: new FusedGru({ name: 'g', units: 4 }),
        inputShape: [6, 3],
        mergeMode: 'concat',
      }),
    );
    expect(bi.weights.filter((w) => w.originalName.endsWith('bias')).map((w) => w.shape)).toEqual([
      [2, 12],
      [2, 12],
    ]);
    bi.dispose();
  });

  it('runs a reset-after GRU with recurrentDropout on its op-by-op stock call', () => {
    const args = { units: 4, returnSequences: true, biasInitializer: 'ones' } as const;
    const stockCall = new FusedGru({ ...args, recurrentDropout: 0.3 });
    const fused = new FusedGru(args);
    const input = x();
    build(stockCall, input);
    build(fused, input);
    fused.setWeights(stockCall.getWeights());
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const training = stockCall.apply(input, { training: true }) as tf.Tensor;
      // Inference: no dropout (and the training call's mask is freed), the same GRU as fused.
      const a = stockCall.apply(input) as tf.Tensor;
      expect(maxDiff(a, fused.apply(input) as tf.Tensor)).toBeLessThan(1e-6);
      expect(maxDiff(training, a)).toBeGreaterThan(1e-3);
    });
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
    stockCall.dispose();
    fused.dispose();
  });
});

describe('building', () => {
  // Only TF.js's orthogonal warning counts: the cpu backend also warns once per process, at its
  // first tensor write, in whichever test makes it.
  const orthogonalWarnings = (spy: Mock) =>
    spy.mock.calls
      .map(([text]) => String(text))
      .filter((text) => text.startsWith('Orthogonal initializer'));

  /** Runs `fn` with console.warn spied on; returns the spy. */
  function spyOnWarn(fn: () => void): Mock {
    const warn = console.warn;
    const spy = vi.fn();
    console.warn = spy;
    try {
      fn();
      expect(console.warn).toBe(spy); // whatever fn built put console.warn back
    } finally {
      console.warn = warn;
    }
    return spy;
  }

  it("drops TF.js's orthogonal-initializer warning when a 32-unit LSTM builds", () => {
    const spy = spyOnWarn(() => {
      const layer = new FusedLstm({ units: 32, recurrentInitializer: 'orthogonal' });
      build(layer, [1, 2, 3]);
      layer.dispose();
    });
    expect(orthogonalWarnings(spy)).toEqual([]);
    // TF.js itself warns about that U: [32, 128], 4,096 elements.
    const before = tf.memory().numTensors;
    const stock = spyOnWarn(() => tf.initializers.orthogonal({}).apply([32, 128]).dispose());
    expect(orthogonalWarnings(stock)).toEqual([expect.stringContaining('(4096) elements')]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the warning above 65,536 elements', () => {
    // TF.js's own text for a small matrix, with the count changed: a matrix above 65,536 elements
    // needs a QR of 257 x 257 or more, which takes seconds to minutes on the cpu backend.
    const stock = spyOnWarn(() => tf.initializers.orthogonal({}).apply([41, 50]).dispose());
    const [text] = orthogonalWarnings(stock);
    const sized = (elements: number) => text!.replace('(2050)', `(${elements})`);
    const spy = spyOnWarn(() => {
      for (const elements of [65_536, 65_537, 102_400]) {
        quietOrthogonal(() => console.warn(sized(elements)));
      }
    });
    expect(orthogonalWarnings(spy)).toEqual([sized(65_537), sized(102_400)]);
  });
});
