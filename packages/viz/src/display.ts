/**
 * Showing a chart in a tslab notebook, or, anywhere else, writing it to a file and saying where.
 *
 * tslab is not a dependency: it is the Jupyter kernel, and only its running copy can send display
 * messages. That copy is the one the kernel found from the notebook's folder (tslab's own
 * `findLocalStartKernel` walks up from the working directory), so we resolve it the same way,
 * then from this package, and use it only when the kernel has loaded it and is running a cell.
 */

import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import { invalidArgument } from './errors.js';
import { renderPng, renderSvg } from './render.js';
import { saveChart } from './save-chart.js';

/** The part of tslab's `Display` that we use (tslab/dist/public.d.ts). */
export interface DisplayLike {
  svg(s: string): void;
  png(b: Uint8Array): void;
  raw(contentType: string, b: string | Uint8Array): unknown;
}

interface TslabLike {
  display: DisplayLike;
  newDisplay(): DisplayLike;
}

/** How `show` sends a chart to the notebook. */
export type ShowAs = 'svg' | 'png' | 'vega-lite';

export interface ShowOptions {
  /**
   * `'svg'` (default) renders here and sends `image/svg+xml`: it shows in every Jupyter front end
   * and on GitHub, and stays in the saved notebook. `'png'` sends `image/png`. `'vega-lite'` sends
   * the spec as `application/vnd.vegalite.v5+json` for the front end to draw, with tooltips
   * (JupyterLab, VS Code; not GitHub).
   */
  as?: ShowAs;
  /** PNG only: pixels per SVG unit. Default 2. */
  scale?: number;
  /**
   * Outside a notebook: the file to write. Default: a new file in `$ENCDEC_VIZ_OUT_DIR`, else in
   * `<os tmpdir>/encdec-viz`.
   */
  path?: string;
}

/** The Vega-Lite v5 mime type that JupyterLab and VS Code render. */
export const vegaLiteMimeType = 'application/vnd.vegalite.v5+json';

const fileExtension: Readonly<Record<ShowAs, string>> = {
  svg: 'svg',
  png: 'png',
  'vega-lite': 'vl.json',
};
let fileCount = 0;

/**
 * Shows `spec` in the current tslab cell (`await show(spec)`), or writes it to a file and prints
 * the path when no notebook is running. Never throws for lack of a notebook.
 */
export async function show(spec: TopLevelSpec, options: ShowOptions = {}): Promise<void> {
  const as = options.as ?? 'svg';
  if (!Object.hasOwn(fileExtension, as))
    throw invalidArgument('as', as, "'svg', 'png' or 'vega-lite'");
  const tslab = kernelTslab();
  if (tslab === undefined) {
    const path = await saveChart(spec, options.path ?? newChartPath(fileExtension[as]), options);
    console.log(`@encdec/viz: no notebook display here; chart written to ${path}`);
    return;
  }
  await sendTo(tslab.display, spec, as, options.scale);
}

/** Renders `spec` and sends it to one display (a cell's output, or an updatable one). */
export async function sendTo(
  display: DisplayLike,
  spec: TopLevelSpec,
  as: ShowAs,
  scale?: number,
): Promise<void> {
  if (as === 'svg') display.svg(await renderSvg(spec));
  else if (as === 'png') display.png(await renderPng(spec, { scale }));
  // tslab puts a non-binary value into the mime bundle as is; the spec must go as a JSON object.
  else display.raw(vegaLiteMimeType, spec as unknown as string);
}

/** A display that later calls overwrite in place (tslab `newDisplay()`), or none outside a kernel. */
export function newUpdatableDisplay(): DisplayLike | undefined {
  return kernelTslab()?.newDisplay();
}

/** tslab as loaded by the running kernel, while it is executing a cell; otherwise undefined. */
export function kernelTslab(): TslabLike | undefined {
  for (const from of [join(process.cwd(), 'notebook.js'), fileURLToPath(import.meta.url)]) {
    try {
      const require = createRequire(from);
      const jupyterPath = require.resolve('tslab/dist/jupyter.js');
      // Loading tslab ourselves would not start a kernel: only a copy already loaded can send.
      if (require.cache[jupyterPath] === undefined) continue;
      const jupyter = require(jupyterPath) as { lastWriteDisplayData?: unknown };
      if (jupyter.lastWriteDisplayData == null) continue; // kernel started, no cell run yet
      return require('tslab') as TslabLike;
    } catch {
      // tslab is not installed where this looked; try the next place.
    }
  }
  return undefined;
}

/** A fresh file path for a chart shown outside a notebook. */
export function newChartPath(extension: string): string {
  const folder = process.env.ENCDEC_VIZ_OUT_DIR || join(tmpdir(), 'encdec-viz');
  fileCount += 1;
  return join(folder, `chart-${Date.now()}-${process.pid}-${fileCount}.${extension}`);
}
