// A separate process for save-race.test.ts: saves or loads a small seq2seq model in a loop, with
// the BUILT package (`npm test` builds first), as another program sharing the directory would.
//
//   node save-race-child.mjs save <dir> <marker> <count> [before-rename:<k> | after-rename:<k>]
//     Saves <count> times (0: until killed). Save i holds id = marker * 1000 + i in its history
//     and as the first value of its first weight, and marker's attention kind in its config, so a
//     load can tell whether all its files came from one save. After each save it prints
//     "saved <id>". With before-/after-rename:<k> it kills itself (SIGKILL) at its k-th rename.
//   node save-race-child.mjs load <dir> <stop-file>
//     Loads until <stop-file> exists, then prints a JSON summary: loads, ids seen, errors, mixes.
// With RACE_GO=<file> set, each prints "ready" once started and waits for <file> to exist, so that
// the processes race from the same moment instead of from their start-up times.
import { existsSync, writeSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { createSeq2Seq, loadSeq2Seq } from '../../../packages/core/dist/index.js';

const [mode, dir, arg, count, die] = process.argv.slice(2);

/** The attention kind of marker's models: a mix of two savers' files cannot build the model. */
const attentionOf = (marker) => (marker % 2 === 1 ? 'dot' : 'additive');

function print(line) {
  writeSync(1, `${line}\n`); // synchronous: printed before a SIGKILL can come
}

/** Kills this process at its k-th rename (before or after it happens), as a crash there would. */
function dieAtRename(spec) {
  const [when, k] = spec.split(':');
  const fsp = createRequire(import.meta.url)('node:fs/promises');
  const rename = fsp.rename;
  let calls = 0;
  fsp.rename = async (...args) => {
    calls += 1;
    if (when === 'before-rename' && calls === Number(k)) process.kill(process.pid, 'SIGKILL');
    await rename(...args);
    if (when === 'after-rename' && calls === Number(k)) process.kill(process.pid, 'SIGKILL');
  };
  syncBuiltinESMExports(); // the package's `import { rename } from 'node:fs/promises'` sees it
}

/** Prints "ready", then waits for the file $RACE_GO (if set). */
async function ready() {
  print('ready');
  const go = process.env.RACE_GO;
  while (go !== undefined && !existsSync(go)) await new Promise((r) => setTimeout(r, 2));
}

async function save(marker, saves) {
  const model = createSeq2Seq({
    encoder: { vocabSize: 8, embeddingDim: 2, units: 2, cell: 'gru', seed: marker },
    decoder: {
      vocabSize: 8,
      embeddingDim: 2,
      units: 2,
      cell: 'gru',
      attention: attentionOf(marker),
    },
  });
  const first = model.model.weights[0];
  await ready();
  for (let i = 0; saves === 0 || i < saves; i++) {
    const id = marker * 1000 + i;
    const values = first.read().dataSync().slice();
    values[0] = id;
    const t = tf.tensor(values, first.shape);
    first.write(t);
    t.dispose();
    model.history = { epoch: [id], history: { id: [id] } };
    await model.save(dir);
    print(`saved ${id}`);
  }
}

async function load(stopFile) {
  const summary = { loads: 0, ids: [], errors: [], mixes: [] };
  await ready();
  while (!existsSync(stopFile)) {
    let model;
    try {
      model = await loadSeq2Seq(dir);
    } catch (error) {
      summary.errors.push(String(error?.message ?? error).slice(0, 300));
      continue;
    }
    summary.loads += 1;
    const id = model.history.epoch[0];
    const weight = model.model.weights[0].read().dataSync()[0];
    const attention = model.config.decoder.attention;
    if (weight !== id || attention !== attentionOf(Math.floor(id / 1000))) {
      summary.mixes.push({ id, weight, attention });
    } else if (summary.ids.at(-1) !== id) {
      summary.ids.push(id);
    }
    model.dispose();
  }
  print(JSON.stringify(summary));
}

await tf.setBackend('cpu');
if (die !== undefined) dieAtRename(die);
if (mode === 'save') await save(Number(arg), Number(count));
else if (mode === 'load') await load(arg);
else throw new Error(`unknown mode ${mode}`);
