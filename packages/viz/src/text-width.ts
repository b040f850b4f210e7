/**
 * Text widths for headless layout. Without a canvas Vega guesses a width of 0.8 em per character,
 * about 1.4 times what sans-serif glyphs take, so charts sized by their text (axis labels, the
 * beam chart's sentences) came out with empty space on the right. Here each text is measured
 * once with resvg, in the font and size the PNG is drawn with.
 *
 * The advance of a text t is width("HtH") - width("HH"): the outer ink edges of the two H's are
 * fixed, and the second H moves right by exactly the advance of t (kerning at the H's aside).
 */

import { Resvg } from '@resvg/resvg-js';

/** Font options shared with the PNG renderer, so measuring and drawing use the same glyphs. */
const SANS_SERIF = 'DejaVu Sans';
export const resvgFonts = {
  loadSystemFonts: true,
  sansSerifFamily: SANS_SERIF,
  defaultFontFamily: SANS_SERIF,
};

/** The text properties of a Vega scenegraph item that decide its width. */
export interface TextItem {
  font?: string;
  fontSize?: number;
  fontWeight?: string | number;
  fontStyle?: string;
}

/** Measured widths in pixels, by font, size and text. */
const widths = new Map<string, number>();

/** Width in pixels of `text` (one line) drawn with `item`'s font, as Vega's `textMetrics.width`. */
export function measuredWidth(item: TextItem, text: unknown): number {
  const line = text == null ? '' : String(text).trim();
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11; // Vega's default 11 px
  if (line === '' || size <= 0) return 0;
  const font = `font-size="${size}" ${fontAttributes(item)}`;
  const key = `${font}|${line}`;
  let width = widths.get(key);
  if (width === undefined) {
    width = inkWidth(font, `H${line}H`) - inkWidth(font, 'HH');
    widths.set(key, width);
  }
  return width;
}

/** Width of the ink box of `text` in the font described by the SVG `attributes`. */
function inkWidth(attributes: string, text: string): number {
  const escaped = text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  // Wide enough for any label: resvg measures ink outside the canvas too, but stay generous.
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="400"><text x="10" y="200" ${attributes} xml:space="preserve">${escaped}</text></svg>`;
  return new Resvg(svg, { font: resvgFonts }).getBBox()?.width ?? 0;
}

/** The SVG font attributes of an item, as Vega's SVG renderer writes them. */
function fontAttributes(item: TextItem): string {
  const family = String(item.font ?? 'sans-serif').replace(/"/g, "'");
  return [
    `font-family="${family}"`,
    item.fontWeight == null ? '' : `font-weight="${item.fontWeight}"`,
    item.fontStyle == null ? '' : `font-style="${item.fontStyle}"`,
  ].join(' ');
}
