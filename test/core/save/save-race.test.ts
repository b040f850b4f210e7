// Saves shared between processes, with real processes (save-race-child.mjs, on the built
// package): savers racing a reader, and savers killed (SIGKILL) mid-save. Every load must be
// exactly one whole save, the previous or the new one, and the next save removes what a killed
// saver left behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSeq2Seq, currentSave, loadSeq2Seq, type ResolvedDecoderConfig } from '@encdec/core';
import { SAVE_MANIFEST_FILE } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./save-race-child.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'encdec-save-race-'));
const go = join(root, 'go');
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Child {
  process: ChildProcess;
  /** Lines printed so far. */
  lines: string[];
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function child(...args: string[]): Child {
  const proc = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, RACE_GO: go },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  let partial = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      if (line === 'ready') markReady();
    }
  });
  proc.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
  }>((resolve) => {
    proc.on('close', (code, signal) => {
      if (partial) lines.push(partial);
      markReady(); // a child that died early must not hang the test
      resolve({ code, signal, stderr });
    });
  });
  return { process: proc, lines, ready, exited };
}

/** Id of the last save a child reported ("saved <id>"), or `initial` when none. */
function lastSaved(c: Child, initial: number): number {
  const saved = c.lines.filter((line) => line.startsWith('saved ')).map((l) => Number(l.slice(6)));
  return saved.at(-1) ?? initial;
}

/** Saves save 0 of marker 0 into `dir`, the way the children save theirs (see the script). */
async function saveInitial(dir: string): Promise<void> {
  const model = createSeq2Seq({
    encoder: { vocabSize: 8, embeddingDim: 2, units: 2, cell: 'gru', seed: 0 },
    decoder: { vocabSize: 8, embeddingDim: 2, units: 2, cell: 'gru', attention: 'additive' },
  });
  const first = model.model.weights[0]!;
  const values = first.read().dataSync().slice();
  values[0] = 0;
  const t = tf.tensor(values, first.shape as number[]);
  first.write(t);
  t.dispose();
  model.history = { epoch: [0], history: { id: [0] } };
  await model.save(dir);
  model.dispose();
}

/** The id of the save `dir` loads as, checking that its files are of that one save. */
async function loadedId(dir: string): Promise<number> {
  const model = await loadSeq2Seq(dir);
  const id = model.history.epoch[0]!;
  const weight = model.model.weights[0]!.read().dataSync()[0];
  const attention = (model.config.decoder as ResolvedDecoderConfig).attention;
  model.dispose();
  expect({ weight, attention }).toEqual({
    weight: id,
    attention: Math.floor(id / 1000) % 2 === 1 ? 'dot' : 'additive',
  });
  return id;
}

/** Saves once more from this process; afterwards `dir` holds the manifest and that save only. */
async function expectCleanAfterNextSave(dir: string): Promise<void> {
  const model = await loadSeq2Seq(dir);
  await model.save(dir);
  model.dispose();
  expect(readdirSync(dir).sort()).toEqual(
    [SAVE_MANIFEST_FILE, basename(await currentSave(dir))].sort(),
  );
}

describe('saves shared between processes', () => {
  it('two savers and a reader: every load is exactly one of the saves', async () => {
    const dir = join(root, 'race');
    await saveInitial(dir);
    const stop = join(root, 'stop');
    const savers = [child('save', dir, '1', '30'), child('save', dir, '2', '30')];
    const reader = child('load', dir, stop);
    await Promise.all([...savers, reader].map((c) => c.ready));
    writeFileSync(go, '');
    for (const result of await Promise.all(savers.map((c) => c.exited))) {
      expect(result.code, result.stderr).toBe(0);
    }
    writeFileSync(stop, '');
    const result = await reader.exited;
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(reader.lines.at(-1)!);
    expect(summary.errors).toEqual([]);
    expect(summary.mixes).toEqual([]);
    expect(summary.loads).toBeGreaterThan(0);
    expect([1029, 2029]).toContain(await loadedId(dir));
    await expectCleanAfterNextSave(dir);
    rmSync(go);
  });

  it('a saver killed at any moment leaves the previous or the new save, and the next save cleans up', async () => {
    // Killed by the test at a random moment of its save loop, or by itself right before or after
    // a rename (the commit of a save).
    const runs = [
      ...['random', 'random', 'random', 'random'].map((kind) => ({ kind, die: undefined })),
      ...['before-rename:1', 'after-rename:1', 'before-rename:3', 'after-rename:3'].map((die) => ({
        kind: die,
        die,
      })),
    ];
    const dirs = runs.map((_, i) => join(root, `killed-${i}`));
    for (const dir of dirs) await saveInitial(dir);
    const children = runs.map(({ die }, i) =>
      die === undefined
        ? child('save', dirs[i]!, '1', '0')
        : child('save', dirs[i]!, '1', '0', die),
    );
    await Promise.all(children.map((c) => c.ready));
    writeFileSync(go, '');
    // Seeded delays, named in each assertion's message (timing still varies with the machine).
    const random = seedrandom('killed-savers');
    const delays = runs.map(() => Math.round(100 + random() * 300));
    const killers = children.map((c, i) =>
      runs[i]!.die !== undefined
        ? undefined
        : setTimeout(() => c.process.kill('SIGKILL'), delays[i]),
    );
    const results = await Promise.all(children.map((c) => c.exited));
    for (const timer of killers) clearTimeout(timer);
    for (const [i, result] of results.entries()) {
      const kind = runs[i]!.die ?? `random (killed after ${delays[i]} ms)`;
      expect(result.signal, `${kind}: ${result.stderr}`).toBe('SIGKILL');
      const previous = lastSaved(children[i]!, 0);
      const next = previous === 0 ? 1000 : previous + 1;
      const id = await loadedId(dirs[i]!);
      if (kind.startsWith('before-rename')) expect(id, kind).toBe(previous);
      else if (kind.startsWith('after-rename')) expect(id, kind).toBe(next);
      else expect([previous, next], kind).toContain(id);
      if (kind.startsWith('before-rename')) {
        // The killed save's folder is left behind, unused.
        expect(readdirSync(dirs[i]!).length, kind).toBeGreaterThan(2);
      }
      await expectCleanAfterNextSave(dirs[i]!);
    }
    rmSync(go);
  });
});
