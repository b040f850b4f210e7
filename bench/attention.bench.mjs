// Attention and model files, measured on the wasm backend (the one models train on here).
//
// 1. `attention()` forward + backward for each kind, batch 64, tgtLen 20, srcLen 100, 32 units
//    (the Keras example's sizes), against a reference written inline from plain TF.js ops
//    (matMul, softmax, matMul: no checks, no mask) in the same process.
// 2. `fileHandler` save + load of a 1.3 M parameter model, against writing and reading the same
//    bytes with plain fs calls.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATTENTION_KINDS, attention } from '@encdec/core';
import { fileHandler } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { medianMs } from './timing.mjs';

await tf.setBackend('wasm');
console.log(`backend: ${tf.getBackend()}`);

// 1. Attention.
const [batchSize, tgtLen, srcLen, units] = [64, 20, 100, 32];
const query = tf.randomNormal([batchSize, tgtLen, units], 0, 1, 'float32', 1);
const values = tf.randomNormal([batchSize, srcLen, units], 0, 1, 'float32', 2);
const mask = tf.tidy(() =>
  tf.cast(tf.less(tf.randomUniform([batchSize, srcLen], 0, 1, 'float32', 3), 0.8), 'float32'),
);
const params = {
  W: tf.randomNormal([units, units], 0, 0.1, 'float32', 4),
  Wq: tf.randomNormal([units, units], 0, 0.1, 'float32', 5),
  Wk: tf.randomNormal([units, units], 0, 0.1, 'float32', 6),
  v: tf.randomNormal([units], 0, 0.1, 'float32', 7),
};

const fwdBwd = (f) => () => {
  const grads = tf.grads(f)([query, values]);
  grads[0].dataSync();
  tf.dispose(grads);
};
const reference = (q, v) => tf.sum(tf.matMul(tf.softmax(tf.matMul(q, v, false, true)), v)); // dot attention, inline
const refMs = await medianMs(fwdBwd(reference), { runs: 15, warmup: 4 });
const rows = [['reference (inline dot, no mask)', refMs]];
for (const kind of ATTENTION_KINDS) {
  for (const withMask of [false, true]) {
    const f = (q, v) =>
      tf.sum(attention(q, v, v, { kind, params, mask: withMask ? mask : undefined }).context);
    rows.push([
      `attention ${kind}${withMask ? ' + mask' : ''}`,
      await medianMs(fwdBwd(f), { runs: 15, warmup: 4 }),
    ]);
  }
}
console.log(
  `\nattention forward + backward, [${batchSize}, ${tgtLen}] queries over [${batchSize}, ${srcLen}] values, ${units} units`,
);
console.log('| what | ms | batches/s | ratio to reference |\n|---|---|---|---|');
for (const [name, ms] of rows) {
  console.log(
    `| ${name} | ${ms.toFixed(2)} | ${(1000 / ms).toFixed(1)} | ${(ms / refMs).toFixed(2)} |`,
  );
}

// 2. Model files.
const model = tf.sequential({
  layers: [tf.layers.dense({ inputShape: [128], units: 10000 })],
});
const dir = mkdtempSync(join(tmpdir(), 'encdec-bench-io-'));
const bytes = model.countParams() * 4;
const saveLoad = async () => {
  await model.save(fileHandler(dir));
  const loaded = await tf.loadLayersModel(fileHandler(dir));
  loaded.dispose();
};
const weights = new Uint8Array(bytes);
const plain = async () => {
  writeFileSync(join(dir, 'plain.bin'), weights);
  readFileSync(join(dir, 'plain.bin'));
};
const ioMs = await medianMs(saveLoad, { runs: 7, warmup: 2 });
const plainMs = await medianMs(plain, { runs: 7, warmup: 2 });
rmSync(dir, { recursive: true, force: true });
const mb = bytes / 2 ** 20;
console.log(`\nmodel files, ${model.countParams()} parameters (${mb.toFixed(1)} MiB)`);
console.log('| what | ms | MiB/s | ratio to reference |\n|---|---|---|---|');
console.log(
  `| reference (fs write + read) | ${plainMs.toFixed(1)} | ${(mb / (plainMs / 1000)).toFixed(0)} | 1.00 |`,
);
console.log(
  `| fileHandler save + load (atomic, sha256, model rebuilt) | ${ioMs.toFixed(1)} | ${(mb / (ioMs / 1000)).toFixed(0)} | ${(ioMs / plainMs).toFixed(2)} |`,
);
