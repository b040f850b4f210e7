import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// What a tslab cell does: a CommonJS require() of the built ESM package (Node >= 20.19). It fails
// with ERR_REQUIRE_ASYNC_MODULE if anything it loads has top-level await (e.g. Vega 6).
const dist = fileURLToPath(new URL('../../packages/viz/dist/index.js', import.meta.url));

describe('@encdec/viz dist', () => {
  it('loads with require() and renders a chart', () => {
    expect(existsSync(dist), `${dist} is missing: build first (npx tsc -b)`).toBe(true);
    const script = `
      const viz = require(${JSON.stringify(dist)});
      const spec = viz.attentionHeatmap([[0.5, 0.5]], { sourceTokens: ['a', 'b'], targetTokens: ['c'] });
      viz.renderSvg(spec).then((svg) => console.log(JSON.stringify({ keys: Object.keys(viz).sort(), svg: svg.slice(0, 4) })));
    `;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    const { keys, svg } = JSON.parse(out.trim().split('\n').pop()!);
    expect(svg).toBe('<svg');
    expect(keys).toEqual(
      expect.arrayContaining([
        'attentionHeatmap',
        'attentionHeatmapGrid',
        'beamCandidates',
        'chartHtml',
        'lengthHistogram',
        'liveTrainingCurves',
        'renderPng',
        'renderSvg',
        'saveChart',
        'scoresByLengthChart',
        'show',
        'trainingCurves',
      ]),
    );
  });
});
