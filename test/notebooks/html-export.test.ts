// The HTML copy that `npm run walkthrough` and `npm run notebooks` write must show every chart with
// the nbconvert users have (Debian's 6.5 sanitizes inline SVG down to its text). A small notebook
// with two charts is executed and exported, then opened in headless Chromium: each chart's output
// must draw coloured marks, which an SVG reduced to its text never does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { colouredPixels, withPage } from '../helpers/chromium.js';
import { fixture, runNotebooks } from './run-notebooks.js';

const outDir = mkdtempSync(join(tmpdir(), 'encdec-html-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the HTML copy of an executed notebook', () => {
  it('draws every chart', async () => {
    const run = runNotebooks(outDir, [fixture('charts.ipynb')]);
    expect(run.status, `the runner failed:\n${run.stderr}`).toBe(0);
    const charts = run
      .executed('charts.ipynb')
      .cells.flatMap((c) => c.outputs ?? [])
      .filter((o) => o.data?.['image/svg+xml'] !== undefined).length;
    expect(charts).toBe(2);

    const drawn = await withPage(async (page) => {
      // The page asks CDNs for MathJax and require.js, which a chart does not need: refuse them.
      await page.route('**/*', (route) =>
        route.request().url().startsWith('file:') ? route.continue() : route.abort(),
      );
      await page.goto(pathToFileURL(join(outDir, 'charts.html')).href);
      // Every output that is not printed text: here, the two charts.
      const outputs = page.locator('.jp-OutputArea-output:not(.jp-RenderedText)');
      const pixels: number[] = [];
      for (const output of await outputs.all()) {
        pixels.push(await colouredPixels(page, await output.screenshot()));
      }
      return pixels;
    });
    expect(drawn).toHaveLength(charts);
    // A 3x2 heatmap and an 8-value histogram cover thousands of pixels in colour.
    for (const count of drawn) expect(count).toBeGreaterThan(1000);
  });
});
