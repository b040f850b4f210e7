/**
 * A save's cleanup never removes a save committed while it ran: saver D commits its folder and is
 * killed between this process's first read of the manifest and its pass over the folders. The
 * directory listing is where the cleanup looks, so the test commits D's save there (a dead
 * owner's folder made current), as a racing process would.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { currentSave } from '@encdec/core';
import { fileHandler, loadModel, SAVE_MANIFEST_FILE } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it, vi } from 'vitest';

/** Runs once, at the next directory listing (the cleanup's, of `dir`). */
let commitRacingSave: ((path: string) => void) | null = null;
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const readdir = (async (path: string, ...rest: unknown[]) => {
    const hook = commitRacingSave;
    if (hook !== null && typeof path === 'string') {
      commitRacingSave = null;
      hook(path);
    }
    return (fs.readdir as (...args: unknown[]) => Promise<unknown>)(path, ...rest);
  }) as typeof fs.readdir;
  return { ...fs, readdir, default: { ...fs, readdir } };
});

const tmp = mkdtempSync(join(tmpdir(), 'encdec-save-race-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
/** Above Linux's largest pid (2^22), so no process has it: D is dead. */
const deadPid = 2 ** 22 + 1;

describe('cleanup racing a commit', () => {
  it('keeps a folder that a now-dead saver made current after the manifest was first read', async () => {
    const dir = join(tmp, 'model');
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    await model.save(fileHandler(dir));
    // D's save: a copy of a whole save in a folder named for a dead process of this host.
    const racing = `save-${host}-${deadPid}-0-0123456789ab`;
    cpSync(await currentSave(dir), join(dir, racing), { recursive: true });
    commitRacingSave = (path) => {
      if (path !== dir) return;
      const manifestPath = join(dir, SAVE_MANIFEST_FILE);
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      writeFileSync(manifestPath, JSON.stringify({ ...manifest, save: racing }));
    };
    await model.save(fileHandler(dir)); // commits, reads the manifest, then lists `dir`
    expect(commitRacingSave).toBeNull(); // the listing ran, and D committed during it
    expect(basename(await currentSave(dir))).toBe(racing);
    expect(existsSync(join(dir, racing))).toBe(true);
    const loaded = await loadModel(dir);
    expect(loaded.layers.length).toBe(1);
    loaded.dispose();
    model.dispose();
  });
});
