import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveTrainingCurves, trainingCurves } from '@encdec/viz';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redrawInterval } from '../../packages/viz/src/live-training-curves.js';
import { startFakeKernel, stopFakeKernel } from './helpers/fake-kernel.js';
import { vegaLiteErrors } from './helpers/vega-lite-schema.js';

afterEach(() => stopFakeKernel());

describe('redrawInterval', () => {
  it('keeps drawing under maxOverhead: d / (d + gap) <= p', () => {
    // d = 100 ms, p = 3%: gap >= 100 * 0.97 / 0.03 = 3233.3 ms.
    expect(redrawInterval(100, 1000, 0.03)).toBeCloseTo(3233.33, 1);
    expect(100 / (100 + redrawInterval(100, 1000, 0.03))).toBeCloseTo(0.03, 10);
    // A fast draw is held back by the minimum interval.
    expect(redrawInterval(10, 1000, 0.03)).toBe(1000);
  });
});

describe('liveTrainingCurves', () => {
  it('redraws one display in place, throttled, and once more at the end', async () => {
    let t = 0;
    const messages = startFakeKernel();
    const cb = liveTrainingCurves({ minIntervalMs: 1000, now: () => t });
    await cb.onTrainBegin();
    await cb.onEpochBegin(0);
    const batchAt = async (time: number, batch: number) => {
      t = time;
      await cb.onBatchEnd(batch, { batch, size: 4, loss: 1 / (batch + 1) });
    };
    await batchAt(100, 0); // too soon
    await batchAt(1100, 1); // draw 1
    await batchAt(1500, 2); // too soon after draw 1
    await batchAt(2200, 3); // draw 2
    t = 2300;
    await cb.onEpochEnd(0, { loss: 0.4 }); // too soon
    await cb.onTrainEnd(); // final draw, always
    expect(messages).toHaveLength(3);
    const ids = new Set(messages.map((m) => m.transient.display_id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f]{16}$/);
    expect(messages.map((m) => Boolean(m.update))).toEqual([false, true, true]);
    expect(messages.every((m) => String(m.data['image/svg+xml']).startsWith('<svg'))).toBe(true);
    expect(cb.stats).toMatchObject({ draws: 3, skipped: 3 });
    expect(cb.records).toEqual([
      { epoch: 0, batch: 0, logs: { batch: 0, size: 4, loss: 1 } },
      { epoch: 0, batch: 1, logs: { batch: 1, size: 4, loss: 0.5 } },
      { epoch: 0, batch: 2, logs: { batch: 2, size: 4, loss: 1 / 3 } },
      { epoch: 0, batch: 3, logs: { batch: 3, size: 4, loss: 0.25 } },
      { epoch: 0, logs: { loss: 0.4 } },
    ]);
  });

  it('waits longer after a slow draw, keeping drawing under maxOverhead', async () => {
    let t = 0;
    const starts: number[] = [];
    // Each display message "takes" 300 ms of the fake clock, as a slow render would.
    startFakeKernel(() => {
      starts.push(t);
      t += 300;
    });
    const cb = liveTrainingCurves({ minIntervalMs: 0, maxOverhead: 0.1, now: () => t });
    await cb.onTrainBegin();
    for (let batch = 0; batch < 60; batch++) {
      t += 100; // 100 ms of training per batch
      await cb.onBatchEnd(batch, { loss: 1 });
    }
    // After a 300 ms draw the next waits 300 * 0.9 / 0.1 = 2700 ms.
    for (let i = 1; i < starts.length; i++)
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(3000);
    // Over every complete draw-and-wait cycle (up to the last draw's start), drawing took <= 10%.
    const last = starts[starts.length - 1]!;
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(((starts.length - 1) * 300) / (last - starts[0]!)).toBeLessThanOrEqual(0.1 + 1e-9);
    expect(cb.stats.drawMs).toBe(starts.length * 300);
  });

  it('works as TF.js model.fit callbacks and keeps the records for trainingCurves', async () => {
    const messages = startFakeKernel();
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mse'] });
    const x = tf.randomNormal([16, 2], 0, 1, 'float32', 1);
    const y = tf.randomNormal([16, 1], 0, 1, 'float32', 2);
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 }); // creates optimizer state
    const before = tf.memory().numTensors;
    const cb = liveTrainingCurves({ minIntervalMs: 60_000 });
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 4,
      verbose: 0,
      validationData: [x, y],
      callbacks: cb,
    });
    expect(tf.memory().numTensors).toBe(before);
    // 4 batches per epoch, then the epoch's record: epochs counted from 0.
    expect(cb.records.map((r) => `${r.epoch}:${r.batch ?? 'end'}`)).toEqual([
      '0:0',
      '0:1',
      '0:2',
      '0:3',
      '0:end',
      '1:0',
      '1:1',
      '1:2',
      '1:3',
      '1:end',
    ]);
    expect(Object.keys(cb.records[4]!.logs).sort()).toEqual(['loss', 'mse', 'val_loss', 'val_mse']);
    const spec = trainingCurves(cb.records);
    expect(vegaLiteErrors(spec)).toEqual([]);
    expect(messages).toHaveLength(1); // only the final draw: the interval never passed
    tf.dispose([x, y]);
    model.dispose();
  });

  it('outside a notebook never draws, never fails, and can write the final chart', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'encdec-viz-live-'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const path = join(folder, 'curves.svg');
      const cb = liveTrainingCurves({ minIntervalMs: 0, path });
      await cb.onTrainBegin();
      await cb.onBatchEnd(0, { loss: 2 });
      await cb.onEpochEnd(0, { loss: 1.5 });
      await cb.onTrainEnd();
      expect(cb.stats.draws).toBe(0);
      expect((await readFile(path, 'utf8')).startsWith('<svg')).toBe(true);
      expect(log).toHaveBeenCalledWith(`@encdec/viz: training curves written to ${path}`);
      // With no records at all, the end of training writes nothing and does not throw.
      await liveTrainingCurves({ path: join(folder, 'none.svg') }).onTrainEnd();
    } finally {
      log.mockRestore();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('rejects bad options', () => {
    expect(() => liveTrainingCurves({ maxOverhead: 1 })).toThrow(
      'maxOverhead must be a share between 0 and 1 (exclusive), got 1.',
    );
    expect(() => liveTrainingCurves({ minIntervalMs: -1 })).toThrow(
      'minIntervalMs must be a non-negative number of ms, got -1.',
    );
  });
});
