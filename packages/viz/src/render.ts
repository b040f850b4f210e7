/**
 * Rendering a Vega-Lite spec without a browser or a canvas:
 *
 *   Vega-Lite spec --compile--> Vega spec --View (renderer 'none')--> SVG text --resvg--> PNG bytes
 *                                        \--inlined with vega.min.js--> self-contained HTML page
 *
 * Vega 5 is used on purpose: Vega 6 is ESM-only with top-level await, which a tslab cell cannot
 * `require()`.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import type { Spec as VegaSpec } from 'vega';
import * as vega from 'vega';
import { parse, View, version as vegaVersion } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';
import { invalidArgument } from './errors.js';
import { measuredWidth, resvgFonts, type TextItem } from './text-width.js';

export interface PngOptions {
  /** Pixels per SVG unit. Default 2: sharp on high-density screens, still small files. */
  scale?: number;
  /** Background colour (CSS). Default `'white'`: a transparent PNG reads badly on dark themes. */
  background?: string;
}

export interface HtmlOptions {
  /** The page's `<title>`. Default: the chart title, else "Chart". */
  title?: string;
}

/** Vega's text measure (exported by vega-scenegraph through vega, missing from its typings). */
const { textMetrics } = vega as unknown as {
  textMetrics: { width: (item: TextItem, text: unknown) => number };
};

/** Compiles Vega-Lite to Vega: the form that the View and the HTML page run. */
export function toVega(spec: TopLevelSpec): VegaSpec {
  if (spec === null || typeof spec !== 'object') {
    throw invalidArgument('spec', spec, 'a Vega-Lite spec object');
  }
  return compile(spec).spec;
}

/** Renders a spec to SVG text, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Vega tags each inline datum with a symbol id; a copy keeps the caller's spec untouched.
  // Layout measures text with resvg (Vega's own guess without a canvas is far too wide); the
  // previous measure is put back afterwards, so other Vega users in the process are untouched.
  const previous = textMetrics.width;
  textMetrics.width = measuredWidth;
  const view = new View(parse(toVega(structuredClone(spec))), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize(); // releases the View's timers and listeners
    textMetrics.width = previous;
  }
}

/** Renders a spec to PNG bytes of `scale` times the chart's size in pixels. */
export async function renderPng(spec: TopLevelSpec, options: PngOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw invalidArgument('scale', scale, 'a positive number');
  }
  return svgToPng(await renderSvg(spec), { ...options, scale });
}

/** Rasterises SVG text with resvg (a prebuilt native binary: no canvas, no browser). */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    background: options.background ?? 'white',
    // Vega writes font-family="sans-serif", which resvg maps to Arial by default; where Arial is
    // missing (most Linux machines) it fell back to a serif. See text-width.ts for the family.
    font: resvgFonts,
  });
  return new Uint8Array(resvg.render().asPng());
}

/**
 * A self-contained HTML page that draws the chart offline: the spec is compiled to Vega here, so
 * the page inlines only `vega.min.js` (no Vega-Lite, no vega-embed, no network).
 */
export function chartHtml(spec: TopLevelSpec, options: HtmlOptions = {}): string {
  const vega = readFileSync(vegaBundlePath(), 'utf8');
  const title = options.title ?? titleOf(spec) ?? 'Chart';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>body { font-family: sans-serif; margin: 16px; } #chart { display: inline-block; } #chart-error { color: #b00; }</style>
</head>
<body>
<div id="chart"></div>
<script>/* vega ${vegaVersion}, BSD-3-Clause, (c) University of Washington Interactive Data Lab */
${vega}</script>
<script>
const spec = ${scriptJson(toVega(spec))};
new vega.View(vega.parse(spec), { renderer: 'svg', container: '#chart', hover: true })
  .runAsync()
  .catch((error) => {
    const box = document.createElement('pre');
    box.id = 'chart-error';
    box.textContent = 'The chart failed to draw: ' + error;
    document.body.appendChild(box);
    console.error(error);
  });
</script>
</body>
</html>
`;
}

/** Where vega's UMD bundle lives; resolved from this package, so it works from any cwd. */
function vegaBundlePath(): string {
  return createRequire(import.meta.url).resolve('vega/build/vega.min.js');
}

function titleOf(spec: TopLevelSpec): string | undefined {
  const title = (spec as { title?: unknown }).title;
  if (typeof title === 'string') return title;
  if (
    title &&
    typeof title === 'object' &&
    typeof (title as { text?: unknown }).text === 'string'
  ) {
    return (title as { text: string }).text;
  }
  return undefined;
}

/** JSON that is safe inside a `<script>`: `<` is escaped, so a token "</script>" cannot end it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
