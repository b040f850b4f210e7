/**
 * The tfjs-node loader against fake packages in a temporary folder: one whose native binding is
 * missing (what npm >= 11 leaves when it skips the install script) and one that loads and
 * registers a `tensorflow` backend. The real package is absent here (see init-backend.test.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadCpu,
  loadTensorflow,
  tfjsNodeInstallHint,
  tfjsNodeRebuildHint,
} from '../../../packages/core/src/backend/load-backends.js';

const roots: string[] = [];
/** A folder with node_modules/@tensorflow/tfjs-node/index.js = `source`; a require rooted there. */
function fakeTfjsNode(source: string | undefined): NodeJS.Require {
  const root = mkdtempSync(join(tmpdir(), 'encdec-tfjs-node-'));
  roots.push(root);
  if (source !== undefined) {
    const dir = join(root, 'node_modules', '@tensorflow', 'tfjs-node');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"@tensorflow/tfjs-node","main":"index.js"}');
    writeFileSync(join(dir, 'index.js'), source);
  }
  return createRequire(join(root, 'index.js'));
}

afterAll(async () => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
  await loadCpu();
  if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
});

describe('loadTensorflow', () => {
  it('absent: says it is not installed and the command that installs it', async () => {
    expect(await loadTensorflow(fakeTfjsNode(undefined))).toEqual({
      ok: false,
      why: `@tensorflow/tfjs-node is not installed (install: ${tfjsNodeInstallHint()})`,
    });
    expect(tfjsNodeInstallHint()).toBe(`npm install @tensorflow/tfjs-node@${tf.version_core}`);
  });

  it('gives the commands the README gives', () => {
    const readme = readFileSync(
      join(fileURLToPath(new URL('../../..', import.meta.url)), 'README.md'),
      'utf8',
    );
    expect(readme).toContain(`\`${tfjsNodeInstallHint()}\``);
    expect(readme).toContain(`\`${tfjsNodeRebuildHint()}\``);
  });

  it('installed without its native binding: says why and how to rebuild it', async () => {
    const broken = fakeTfjsNode(
      'throw new Error("Cannot find module \'/x/lib/napi-v8/tfjs_binding.node\'\\nRequire stack: ...");',
    );
    expect(await loadTensorflow(broken)).toEqual({
      ok: false,
      why:
        "@tensorflow/tfjs-node is installed but does not load (Cannot find module '/x/lib/napi-v8/tfjs_binding.node'); " +
        'its native binding is probably missing because npm skipped its install script ' +
        '(fix: npm install-scripts approve @tensorflow/tfjs-node && npm rebuild @tensorflow/tfjs-node)',
    });
  });

  it('loads: switches to the tensorflow backend the package registers', async () => {
    // Stands in for tfjs-node, which registers a backend named "tensorflow" when required; here
    // that backend is a second instance of the cpu backend's class.
    const CpuBackend = tf.findBackend('cpu')!.constructor as new () => tf.KernelBackend;
    (globalThis as Record<string, unknown>).__encdecRegisterFakeTensorflow = () =>
      tf.registerBackend('tensorflow', () => new CpuBackend());
    const working = fakeTfjsNode('globalThis.__encdecRegisterFakeTensorflow();');
    expect(await loadTensorflow(working)).toEqual({ ok: true });
    expect(tf.getBackend()).toBe('tensorflow');
  });
});
