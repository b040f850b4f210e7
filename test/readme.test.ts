/**
 * The README's script example runs as printed (as an ES module, after `npm run build`) and its
 * comment tells the truth: the model reverses both rows. The second block continues it: a
 * DecodePool decodes the same.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentSave } from '@encdec/core';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

it("the README's script example trains, decodes what its comment says, and saves", async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const [code, poolCode] = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(code, 'a ```ts block in README.md').toBeDefined();
  expect(poolCode, "a second ```ts block (the DecodePool's)").toBeDefined();
  // Inside the repository, so that @encdec/core resolves; run from a temp folder, where it saves.
  mkdirSync(join(root, 'out'), { recursive: true });
  const script = join(root, 'out', 'readme-example.mjs');
  const tokens = (name: string) => `JSON.stringify(${name}.map((h) => h.tokens))`;
  writeFileSync(
    script,
    `${code}\n${poolCode}\nconsole.log(${tokens('pooled')});\nconsole.log(${tokens('decoded')});\n`,
  );
  const cwd = mkdtempSync(join(tmpdir(), 'encdec-readme-'));
  try {
    const run = spawnSync(process.execPath, [script], { cwd, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const [pooled, decoded] = run.stdout
      .trim()
      .split('\n')
      .slice(-2)
      .map((line) => JSON.parse(line));
    expect(pooled).toEqual(decoded);
    const promised = /\/\/ decoded\[0\]\.tokens: (\[[\d, ]+\]), decoded\[1\]\.tokens: (\[[\d, ]+\])/
      .exec(code!)!
      .slice(1)
      .map((list) => JSON.parse(list));
    expect(decoded).toEqual(promised);
    const saved = await currentSave(join(cwd, 'out', 'reverse-model'));
    expect(readFileSync(join(saved, 'model.json'), 'utf8')).toContain('modelTopology');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
    rmSync(script, { force: true });
  }
}, 120_000);
