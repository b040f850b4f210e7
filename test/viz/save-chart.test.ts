import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  attentionHeads,
  attentionHeatmap,
  chartHtml,
  positionalEncoding,
  saveChart,
} from '@encdec/viz';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPage } from '../helpers/chromium.js';
import { pngSize } from './helpers/scene.js';

// A token with markup in it: the HTML page must escape it, not run it.
const spec = attentionHeatmap(
  [
    [0.1, 0.2, 0.7],
    [0.5, 0.25, 0.25],
  ],
  { sourceTokens: ['le', '</script><b>', 'le'], targetTokens: ['the', 'cat'], title: 'Offline' },
);

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'encdec-viz-save-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('saveChart', () => {
  it('picks the format from the extension and leaves no temporary file', async () => {
    const svg = await saveChart(spec, join(folder, 'a.svg'));
    expect((await readFile(svg, 'utf8')).startsWith('<svg')).toBe(true);
    const png = await saveChart(spec, join(folder, 'nested', 'a.png'), { scale: 1 });
    expect(pngSize(await readFile(png)).width).toBeGreaterThan(50);
    const vl = await saveChart(spec, join(folder, 'a.vl.json'));
    expect(JSON.parse(await readFile(vl, 'utf8'))).toEqual(spec);
    const vg = await saveChart(spec, join(folder, 'a.vg.json'));
    expect(JSON.parse(await readFile(vg, 'utf8')).$schema).toContain('vega/v5');
    const html = await saveChart(spec, join(folder, 'a.HTML'));
    expect(await readFile(html, 'utf8')).toContain('<!doctype html>');
    expect((await readdir(folder)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await readdir(join(folder, 'nested'))).sort()).toEqual(['a.png']);
  });

  it('overwrites an existing file whole', async () => {
    const path = join(folder, 'b.vl.json');
    await saveChart({ ...spec, title: 'first' } as typeof spec, path);
    await saveChart(spec, path);
    expect(JSON.parse(await readFile(path, 'utf8')).title).toBe('Offline');
  });

  it('rejects an unknown extension before writing anything', async () => {
    await expect(saveChart(spec, join(folder, 'c.jpg'))).rejects.toThrow(
      'path must end in .svg, .png, .html, .vl.json or .vg.json, got',
    );
    await expect(stat(join(folder, 'c.jpg'))).rejects.toThrow();
  });

  it('the HTML page escapes tokens out of the script', () => {
    const html = chartHtml(spec);
    expect(html).not.toContain('</script><b>');
    expect(html).toContain('\\u003c/script>\\u003cb>');
    expect(html).toContain('<title>Offline</title>');
  });
});

describe('HTML export in a headless browser', () => {
  it('draws the chart offline, with no console errors', async () => {
    const path = await saveChart(spec, join(folder, 'page.html'));
    await withPage(async (page) => {
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(String(error)));
      // Any request beyond the file itself would mean the page is not self-contained.
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        requests.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(path).href);
      const cells = page.locator('#chart svg [aria-roledescription="rect mark"]');
      await cells.first().waitFor({ timeout: 15_000 });
      expect(await cells.count()).toBe(6);
      expect(await page.locator('#chart svg text', { hasText: '</script><b>' }).count()).toBe(1);
      expect(await page.locator('#chart-error').count()).toBe(0);
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      const shot = join(folder, 'page.png');
      await page.locator('#chart').screenshot({ path: shot });
      const bytes = await readFile(shot);
      const { width, height } = pngSize(bytes);
      expect(width).toBeGreaterThan(80);
      expect(height).toBeGreaterThan(80);
      expect(bytes.length).toBeGreaterThan(2000); // a blank image compresses to far less
      if (process.env.ENCDEC_VIZ_KEEP_SCREENSHOT) {
        await saveCopy(bytes, process.env.ENCDEC_VIZ_KEEP_SCREENSHOT);
      }
    });
  });
});

describe('HTML export of the Transformer charts in a headless browser', () => {
  it('draws per-head attention and positional encodings with no errors', async () => {
    const heads = attentionHeads(
      [
        [
          [0.2, 0.8],
          [0.6, 0.4],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ],
      { sourceTokens: ['le', 'chat'], targetTokens: ['the', 'cat'] },
    );
    const pe = positionalEncoding(
      [
        [0, 1, 0, 1],
        [0.84, 0.54, 0.01, 1],
        [0.91, -0.42, 0.02, 1],
      ],
      { dimensions: [0, 1] },
    );
    await withPage(async (page) => {
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(String(error)));
      for (const [chart, name, marks, count] of [
        [heads, 'heads.html', 'rect mark', 8],
        [pe, 'pe.html', 'rect mark', 12],
      ] as const) {
        await page.goto(pathToFileURL(await saveChart(chart, join(folder, name))).href);
        const cells = page.locator(`#chart svg [aria-roledescription="${marks}"]`);
        await cells.first().waitFor({ timeout: 15_000 });
        expect(await cells.count()).toBe(count);
        expect(await page.locator('#chart-error').count()).toBe(0);
      }
      expect(await page.locator('#chart svg [aria-roledescription="line mark"]').count()).toBe(2);
      expect(problems).toEqual([]);
    });
  });
});

async function saveCopy(bytes: Uint8Array, path: string): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, bytes);
}
