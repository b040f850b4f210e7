// `npm start` (scripts/jupyter.mjs start): Jupyter Notebook with the project's kernel. Started on
// a free port with no token and no browser, it must answer /api/kernelspecs with the encdec
// kernel, also as root (Jupyter exits on root unless given --allow-root, which the script adds),
// and stop when the script is sent SIGTERM, removing the kernels' temporary directory (the test
// file's own temporary directory must then be empty: test/setup/temp-dir.ts checks it).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './run-notebooks.js';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** GETs `url` until it answers (Jupyter takes a few seconds to start), or gives up. */
async function getJson(url: string, child: ChildProcess, log: () => string): Promise<unknown> {
  for (let attempt = 0; attempt < 120; attempt++) {
    if (child.exitCode !== null) throw new Error(`Jupyter exited (${child.exitCode}):\n${log()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return response.json();
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`no answer from ${url} in 60 s:\n${log()}`);
}

describe('npm start (Jupyter Notebook)', () => {
  let child: ChildProcess;
  let port: number;
  let output = '';
  beforeAll(async () => {
    port = await freePort();
    child = spawn(
      process.execPath,
      [
        join(root, 'scripts', 'jupyter.mjs'),
        'start',
        '--ip=127.0.0.1',
        `--port=${port}`,
        '--NotebookApp.port_retries=0',
        '--NotebookApp.token=',
        '--NotebookApp.password=',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
  });
  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });

  it('lists the encdec kernel at /api/kernelspecs', async () => {
    const specs = (await getJson(
      `http://127.0.0.1:${port}/api/kernelspecs`,
      child,
      () => output,
    )) as {
      kernelspecs: Record<string, { spec: { display_name: string; language: string } }>;
    };
    expect(specs.kernelspecs.encdec?.spec).toMatchObject({
      display_name: 'TypeScript (encdec, tslab)',
      language: 'typescript',
    });
    if (process.getuid?.() === 0) expect(output).toContain('passing --allow-root');
  }, 90_000);

  it('stops, with Jupyter, on SIGTERM', async () => {
    expect(child.exitCode, output).toBeNull();
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/api/kernelspecs`)).rejects.toThrow();
  }, 30_000);
});
