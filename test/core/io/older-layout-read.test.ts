/**
 * A directory without a manifest (the older layout) may hold anything besides a model (say the
 * IMDB tarball): loading it reads only the files the loader asks for.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  fileHandler,
  loadModel,
  MODEL_FILE,
  SAVE_MANIFEST_FILE,
  WEIGHTS_FILE,
} from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { toOlderLayout } from './older-layout.js';

/** The names of the files read, in order. */
const read: string[] = [];
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const readFile = ((path: unknown, ...rest: unknown[]) => {
    if (typeof path === 'string') read.push(basename(path));
    return (fs.readFile as (...args: unknown[]) => Promise<unknown>)(path, ...rest);
  }) as typeof fs.readFile;
  return { ...fs, readFile, default: { ...fs, readFile } };
});

const tmp = mkdtempSync(join(tmpdir(), 'encdec-older-read-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('older layout', () => {
  it('reads model.json and weights.bin only, not the other files beside them', async () => {
    const dir = join(tmp, 'model');
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    await model.save(fileHandler(dir));
    await toOlderLayout(dir);
    writeFileSync(join(dir, 'aclImdb_v1.tar.gz'), new Uint8Array(1024));
    read.length = 0;
    const loaded = await loadModel(dir);
    // The manifest is looked for first; then the two files of the model, and nothing else.
    expect(read.filter((name) => name !== SAVE_MANIFEST_FILE).sort()).toEqual(
      [MODEL_FILE, WEIGHTS_FILE].sort(),
    );
    expect(loaded.layers.length).toBe(1);
    loaded.dispose();
    model.dispose();
  });
});
