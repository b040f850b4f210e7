// Chart rendering cost, each against a reference run in the same process: the smallest chart
// (one bar), whose time is the fixed cost of compiling Vega-Lite and running a Vega View.
//
// 1. Spec building, SVG (vega, headless) and PNG (resvg, scale 2) for the charts a notebook draws:
//    an attention heatmap of 20 target x 100 source tokens (2,000 cells), training curves of
//    10 epochs x 390 batches with two metrics (what liveTrainingCurves redraws), a length
//    histogram of 25,000 reviews, and a beam of 5 hypotheses.
// 2. The self-contained HTML page's size (it inlines vega.min.js).
import {
  attentionHeatmap,
  beamCandidates,
  chartHtml,
  lengthHistogram,
  renderPng,
  renderSvg,
  trainingCurves,
} from '@encdec/viz';
import { medianMs, mulberry32 } from './timing.mjs';

const rand = mulberry32(1);
const tgtLen = 20;
const srcLen = 100;
const weights = Array.from({ length: tgtLen }, () => {
  const row = Array.from({ length: srcLen }, () => rand() ** 4);
  const sum = row.reduce((a, b) => a + b, 0);
  return row.map((w) => w / sum);
});
const heatmap = () =>
  attentionHeatmap(weights, {
    sourceTokens: Array.from({ length: srcLen }, (_, i) => `w${i}`),
    targetTokens: Array.from({ length: tgtLen }, (_, i) => `t${i}`),
  });

const records = [];
for (let epoch = 0; epoch < 10; epoch++) {
  for (let batch = 0; batch < 390; batch++) {
    const step = epoch * 390 + batch;
    records.push({
      epoch,
      batch,
      logs: { loss: 2 / (1 + step / 500) + 0.1 * rand(), accuracy: 1 - 1 / (1 + step / 800) },
    });
  }
  records.push({
    epoch,
    logs: { loss: 1 / (1 + epoch), accuracy: 0.5, val_loss: 1.1 / (1 + epoch) },
  });
}
const curves = () => trainingCurves(records);

const lengths = Array.from({ length: 25_000 }, () => Math.round(10 + 2000 * rand() ** 3));
const histogram = () => lengthHistogram(lengths, { maxlen: 200 });

const beam = () =>
  beamCandidates(
    Array.from({ length: 5 }, (_, i) => ({
      tokens: Array.from({ length: 8 + i }, (_, j) => j),
      score: -0.3 * (i + 1),
      logProb: -2 * (i + 1),
    })),
  );

const reference = () => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  data: { values: [{ a: 'x', b: 1 }] },
  mark: 'bar',
  encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } },
});

const referenceMs = await medianMs(() => renderSvg(reference()));
console.log('\nRendering (median of 5 after 3 warm-up runs); reference: one-bar chart to SVG');
console.log('| chart | spec ms | SVG ms | SVG vs reference | PNG (scale 2) ms |');
console.log('|---|---|---|---|---|');
console.log(`| reference: one bar | - | ${referenceMs.toFixed(1)} | 1.00x | - |`);
for (const [name, build] of [
  ['attention heatmap 20 x 100', heatmap],
  ['training curves 10 x 390 batches, 2 metrics', curves],
  ['length histogram, 25,000 lengths', histogram],
  ['beam candidates, 5 hypotheses', beam],
]) {
  const specMs = await medianMs(async () => build());
  const spec = build();
  const svgMs = await medianMs(() => renderSvg(spec));
  const pngMs = await medianMs(() => renderPng(spec, { scale: 2 }));
  console.log(
    `| ${name} | ${specMs.toFixed(1)} | ${svgMs.toFixed(1)} | ${(svgMs / referenceMs).toFixed(2)}x | ${pngMs.toFixed(1)} |`,
  );
}

const html = chartHtml(heatmap());
console.log(
  `\nSelf-contained HTML page (heatmap 20 x 100): ${(html.length / 1024).toFixed(0)} KiB`,
);
