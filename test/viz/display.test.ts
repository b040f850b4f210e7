import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attentionHeatmap, show, vegaLiteMimeType } from '@encdec/viz';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeKernel, stopFakeKernel } from './helpers/fake-kernel.js';
import { pngSize } from './helpers/scene.js';

const spec = attentionHeatmap(
  [
    [0.2, 0.8],
    [0.7, 0.3],
  ],
  { sourceTokens: ['a', 'b'], targetTokens: ['x', 'y'] },
);

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'encdec-viz-show-'));
});
afterAll(async () => {
  stopFakeKernel();
  await rm(folder, { recursive: true, force: true });
});

describe('show outside a notebook', () => {
  it('writes the chart to a file and says where', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const path = join(folder, 'shown.svg');
    await show(spec, { path });
    expect((await readFile(path, 'utf8')).startsWith('<svg')).toBe(true);
    expect(log).toHaveBeenCalledWith(
      `@encdec/viz: no notebook display here; chart written to ${path}`,
    );
    log.mockRestore();
  });

  it('defaults to a new file in $ENCDEC_VIZ_OUT_DIR, in the format asked for', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.stubEnv('ENCDEC_VIZ_OUT_DIR', join(folder, 'out'));
    await show(spec, { as: 'vega-lite' });
    const written = String(log.mock.calls[0]![0]).split('chart written to ')[1]!;
    expect(written.startsWith(join(folder, 'out', 'chart-'))).toBe(true);
    expect(written.endsWith('.vl.json')).toBe(true);
    expect(JSON.parse(await readFile(written, 'utf8'))).toEqual(spec);
    vi.unstubAllEnvs();
    log.mockRestore();
  });

  it('rejects an unknown display kind', async () => {
    await expect(show(spec, { as: 'gif' as never })).rejects.toThrow(
      `as must be 'svg', 'png' or 'vega-lite', got "gif".`,
    );
  });
});

describe('show inside a tslab kernel', () => {
  it('sends an SVG by default, as image/svg+xml', async () => {
    const messages = startFakeKernel();
    await show(spec);
    expect(messages).toHaveLength(1);
    const svg = messages[0]!.data['image/svg+xml'] as string;
    expect(svg.startsWith('<svg')).toBe(true);
    expect(Object.keys(messages[0]!.data)).toEqual(['image/svg+xml']);
  });

  it('sends PNG bytes base64-encoded, as image/png', async () => {
    const messages = startFakeKernel();
    await show(spec, { as: 'png', scale: 1 });
    const png = Buffer.from(messages[0]!.data['image/png'] as string, 'base64');
    expect(pngSize(png).width).toBeGreaterThan(50);
  });

  it('sends the spec as a JSON object under the Vega-Lite v5 mime type', async () => {
    const messages = startFakeKernel();
    await show(spec, { as: 'vega-lite' });
    expect(vegaLiteMimeType).toBe('application/vnd.vegalite.v5+json');
    expect(messages[0]!.data[vegaLiteMimeType]).toEqual(spec);
    expect(typeof messages[0]!.data[vegaLiteMimeType]).toBe('object');
  });

  it('falls back to a file again once no cell is running', async () => {
    stopFakeKernel();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await show(spec, { path: join(folder, 'after.svg') });
    expect(log).toHaveBeenCalledTimes(1);
    log.mockRestore();
  });
});
