/**
 * Saving a chart: the format follows the file's extension, and the file appears whole or not at
 * all (`writeFileAtomic`: a temporary file in the same folder, flushed, then renamed over the
 * target, which POSIX makes atomic), so a notebook interrupted mid-save never leaves half an image behind.
 */

import { mkdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { writeFileAtomic } from '@encdec/core/internal';
import type { TopLevelSpec } from 'vega-lite';
import { unsupportedExtension } from './errors.js';
import { chartHtml, renderPng, renderSvg, toVega } from './render.js';

export interface SaveChartOptions {
  /** PNG only: pixels per SVG unit. Default 2. */
  scale?: number;
}

/** The formats `saveChart` writes, by file extension. */
export const chartFormats = ['svg', 'png', 'html', 'vl.json', 'vg.json'] as const;
export type ChartFormat = (typeof chartFormats)[number];

/** The format a path asks for, from its extension (`.htm` counts as HTML). */
export function chartFormatOf(path: string): ChartFormat {
  const name = basename(path).toLowerCase();
  if (name.endsWith('.vl.json')) return 'vl.json';
  if (name.endsWith('.vg.json')) return 'vg.json';
  if (name.endsWith('.svg')) return 'svg';
  if (name.endsWith('.png')) return 'png';
  if (name.endsWith('.html') || name.endsWith('.htm')) return 'html';
  throw unsupportedExtension(path);
}

/**
 * Writes `spec` to `path` as SVG, PNG, a self-contained HTML page, the Vega-Lite spec
 * (`.vl.json`) or the compiled Vega spec (`.vg.json`). Creates the folder if needed; resolves to
 * the absolute path written.
 */
export async function saveChart(
  spec: TopLevelSpec,
  path: string,
  options: SaveChartOptions = {},
): Promise<string> {
  const format = chartFormatOf(path);
  const content = await encode(spec, format, options);
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  await writeFileAtomic(target, content);
  return target;
}

async function encode(
  spec: TopLevelSpec,
  format: ChartFormat,
  options: SaveChartOptions,
): Promise<string | Uint8Array> {
  switch (format) {
    case 'svg':
      return renderSvg(spec);
    case 'png':
      return renderPng(spec, { scale: options.scale });
    case 'html':
      return chartHtml(spec);
    case 'vl.json':
      return `${JSON.stringify(spec, null, 2)}\n`;
    case 'vg.json':
      return `${JSON.stringify(toVega(spec), null, 2)}\n`;
  }
}
