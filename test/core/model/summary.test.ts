/** printSummary: every layer's name, class name and shapes in full, columns sized to them. */
import { createEncoder, createKerasExampleModel, fusedGru, printSummary } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The lines `print` prints for `model`. */
function captured(print: (printFn: (line: string) => void) => void): string[] {
  const lines: string[] = [];
  print((line) => lines.push(String(line)));
  return lines;
}

/** Each layer's row holds its full "name (ClassName)", output shape and parameter count. */
function expectFullRows(model: tf.LayersModel, lines: string[]) {
  for (const layer of model.layers) {
    const label = `${layer.name} (${layer.getClassName()})`;
    const row = lines.find((line) => line.startsWith(`${label} `));
    expect(row, `a row starts with "${label}"`).toBeDefined();
    expect(row).toContain(JSON.stringify(layer.outputShape));
    expect(row).toMatch(new RegExp(` ${layer.countParams()}( |$)`));
  }
  expect(lines).toContain(`Total params: ${model.countParams()}`);
  // The table is as wide as its widest row, and no wider.
  const rule = lines[0]!;
  expect(rule).toMatch(/^_+$/);
  const widest = Math.max(...lines.filter((line) => !/^[_=]+$/.test(line)).map((l) => l.length));
  expect(rule.length).toBeLessThanOrEqual(widest + 2);
}

describe('printSummary', () => {
  it("prints the Keras example's class names and multi-tensor shapes in full", () => {
    const before = tf.memory().numTensors;
    const example = createKerasExampleModel();
    // TF.js's own widths cut them: the case this function exists for.
    const stock = captured((printFn) => example.model.summary(undefined, undefined, printFn));
    expect(stock.join('\n')).not.toContain('(EncdecFusedLstm)');
    const lines = captured((printFn) => example.summary(printFn));
    expectFullRows(example.model, lines);
    for (const cls of ['Embedding', 'EncdecFusedLstm', 'Dense', 'Activation']) {
      expect(lines.join('\n')).toContain(`(${cls})`);
    }
    // The decoder's LSTM receives the embedded target and the encoder's final h and c.
    const decoderLstm = lines.findIndex((line) => line.startsWith('decoder_lstm '));
    expect(lines.slice(decoderLstm, decoderLstm + 3).join('\n')).toMatch(
      /decoder_embedding\[\d\]\[0\][\s\S]*encoder_lstm\[\d\]\[1\][\s\S]*encoder_lstm\[\d\]\[2\]/,
    );
    example.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('prints a model TF.js calls sequential-like (four columns) and an encoder in full', () => {
    const before = tf.memory().numTensors;
    const sequential = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 50, outputDim: 4, inputShape: [5] }),
        fusedGru({ units: 3 }),
      ],
    });
    const lines = captured((printFn) => printSummary(sequential, printFn));
    expectFullRows(sequential, lines);
    expect(lines[1]).toMatch(/^Layer \(type\) +Input Shape +Output shape +Param #$/);
    const encoder = createEncoder({ vocabSize: 50, embeddingDim: 4, units: 3, cell: 'lstm' });
    const functional = captured((printFn) => printSummary(encoder.model, printFn));
    expectFullRows(encoder.model, functional);
    expect(functional[1]).toMatch(/Param # +Receives inputs$/);
    sequential.dispose();
    encoder.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
