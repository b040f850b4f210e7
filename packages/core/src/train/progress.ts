/**
 * A terminal progress bar for `fit` in scripts (cli-progress): one bar per epoch with the running
 * loss and accuracy, then one summary line per epoch. `fit` adds it when `verbose` is true, or
 * when `verbose` is unset and stdout is a TTY (a notebook or a CI log gets no bar).
 */
import cliProgress from 'cli-progress';
import type { Callback, Logs } from './callbacks.js';

export function progressBar(
  batchesPerEpoch: number,
  epochs: number,
  stream: NodeJS.WritableStream = process.stdout,
): Callback {
  let bar: cliProgress.SingleBar | undefined;
  let lossSum = 0;
  let correct = 0;
  let tokens = 0;
  return {
    onEpochBegin: (epoch) => {
      lossSum = 0;
      correct = 0;
      tokens = 0;
      bar = new cliProgress.SingleBar(
        {
          format: `Epoch ${epoch + 1}/${epochs} [{bar}] {value}/{total} loss {loss} accuracy {accuracy}`,
          stream,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batchesPerEpoch, 0, { loss: '-', accuracy: '-' });
    },
    onBatchEnd: (batch, logs) => {
      const n = logs.tokens ?? 0;
      lossSum += (logs.loss ?? 0) * n;
      correct += (logs.accuracy ?? 0) * n;
      tokens += n;
      bar?.update(batch + 1, {
        loss: (lossSum / Math.max(tokens, 1)).toFixed(4),
        accuracy: (correct / Math.max(tokens, 1)).toFixed(4),
      });
    },
    onEpochEnd: (epoch, logs) => {
      bar?.stop();
      bar = undefined;
      stream.write(`Epoch ${epoch + 1}/${epochs}: ${formatLogs(logs)}\n`);
    },
    onTrainEnd: () => bar?.stop(),
  };
}

/** `loss 0.1234 - accuracy 0.9876 - ...`, Keras' epoch line. */
export function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([key, value]) => `${key} ${value.toFixed(4)}`)
    .join(' - ');
}
