import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { currentSave } from '@encdec/core';
import { fileHandler, loadModel, SAVE_MANIFEST_FILE } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'encdec-save-dir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const otherHost = host === 'ffffffff' ? '00000000' : 'ffffffff';
/** Above Linux's largest pid (2^22), so no process has it. */
const deadPid = 2 ** 22 + 1;

function model(): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
}

/** A save folder as another saver would leave it, half written. */
function leftover(dir: string, name: string): string {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'weights.bin'), 'partial');
  return name;
}

describe('writeSave cleans up after other savers', () => {
  it('removes the folders of exited processes and its own old ones, keeps those of live savers', async () => {
    const dir = join(tmp, 'cleanup');
    const m = model();
    await m.save(fileHandler(dir));
    const ownOld = basename(await currentSave(dir));
    const dead = leftover(dir, `save-${host}-${deadPid}-0-0123456789ab`);
    // pid 1 (init) is alive; a process of another host cannot be checked, so it counts as alive.
    const live = leftover(dir, `save-${host}-1-0-0123456789ab`);
    const otherThread = leftover(dir, `save-${host}-${process.pid}-${threadId + 1}-0123456789ab`);
    const remote = leftover(dir, `save-${otherHost}-${deadPid}-0-0123456789ab`);
    // A temporary file of the layout before manifests, from an exited process; and a user's file.
    const oldTemp = `.weights.bin.${deadPid}.0a1b2c.tmp`;
    writeFileSync(join(dir, oldTemp), 'partial');
    writeFileSync(join(dir, 'notes.txt'), 'mine');

    await m.save(fileHandler(dir));
    const current = basename(await currentSave(dir));
    expect(current).not.toBe(ownOld);
    expect(readdirSync(dir).sort()).toEqual(
      [SAVE_MANIFEST_FILE, current, live, otherThread, remote, 'notes.txt'].sort(),
    );
    expect(readdirSync(dir)).not.toContain(dead);
    expect(readdirSync(dir)).not.toContain(oldTemp);
    (await loadModel(dir)).dispose();
    m.dispose();
  });

  it('saves from one process into one directory, started together, all commit in turn', async () => {
    const dir = join(tmp, 'together');
    const models = [model(), model(), model()];
    await Promise.all(models.map((m) => m.save(fileHandler(dir))));
    expect(readdirSync(dir).sort()).toEqual(
      [SAVE_MANIFEST_FILE, basename(await currentSave(dir))].sort(),
    );
    const loaded = await loadModel(dir);
    const last = models.at(-1)!;
    expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      last.getWeights().map((w) => Array.from(w.dataSync())),
    );
    for (const m of [...models, loaded]) m.dispose();
  });

  it('names a manifest that is not one', async () => {
    const dir = join(tmp, 'bad-manifest');
    mkdirSync(dir);
    writeFileSync(join(dir, SAVE_MANIFEST_FILE), '{"format": "encdec-save", "version": 1}');
    await expect(loadModel(dir)).rejects.toThrow(
      `Cannot load ${join(dir, SAVE_MANIFEST_FILE)}: it is not an encdec-save manifest of version 1. The file is corrupt or was edited: save the model again.`,
    );
  });
});
