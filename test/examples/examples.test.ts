// The scripts of examples/, run as a user runs them (node, the BUILT packages; `npm test` builds
// first), in quick mode: training saves a model that loads, and generation prints its outputs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentSave, loadSeq2Seq, type ResolvedDecoderConfig } from '@encdec/core';
import { MODEL_FILE, SEQ2SEQ_FILE, WEIGHTS_FILE } from '@encdec/core/internal';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = join(mkdtempSync(join(tmpdir(), 'encdec-examples-')), 'reverse-model');
afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

function runExample(script: string, ...args: string[]): string {
  const run = spawnSync(process.execPath, [join(root, 'examples', script), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ENCDEC_QUICK: '1' },
  });
  expect(run.status, `${script} failed:\n${run.stdout}\n${run.stderr}`).toBe(0);
  return run.stdout;
}

describe('examples (ENCDEC_QUICK=1)', () => {
  it('train-reverse.mjs trains, reports exact match and saves a model that loads', async () => {
    const out = runExample('train-reverse.mjs', dir);
    expect(out).toMatch(/epoch 2: loss [0-9.]+, accuracy [0-9.]+/);
    expect(out).toMatch(/held-out exact match: [01]\.[0-9]{3}/);
    expect(out).toContain(`saved to ${dir}`);
    const folder = await currentSave(dir);
    for (const file of [MODEL_FILE, WEIGHTS_FILE, SEQ2SEQ_FILE]) {
      expect(existsSync(join(folder, file)), file).toBe(true);
    }
    const model = await loadSeq2Seq(dir);
    expect((model.config.decoder as ResolvedDecoderConfig).attention).toBe('dot');
    expect(model.history.epoch).toEqual([0, 1]);
    model.dispose();
  }, 120_000);

  it('generate-reverse.mjs loads that model and prints greedy, beam and sampled outputs', () => {
    const out = runExample('generate-reverse.mjs', dir);
    // 3 rows, each with one greedy line, 2 beam lines and one sample line of symbol ids.
    expect(out.match(/^ {2}greedy: [0-9 ]*$/gm)).toHaveLength(3);
    expect(out.match(/^ {2}beam [12]: [0-9 ]* \(log p -?[0-9.]+\)$/gm)).toHaveLength(6);
    expect(out.match(/^ {2}sample: [0-9 ]*$/gm)).toHaveLength(3);
    expect(out).toMatch(/greedy reversed [0-3] of 3 rows/);
    expect(out).toMatch(/512 rows on [1-9]\d* threads: same tokens as one thread in 512 rows/);
  }, 60_000);
});
