/**
 * Looking inside a rendered chart: the marks of an SVG string, and the items (with their
 * evaluated tooltips) of a Vega View's scenegraph, which the SVG does not carry.
 */

import { parse, View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';

export interface SvgMark {
  /** The mark's aria-label, entities decoded. */
  label: string;
  attributes: Record<string, string>;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#\d+|\w+);/g, (whole, code: string) =>
    code.startsWith('#') ? String.fromCharCode(Number(code.slice(1))) : (entities[code] ?? whole),
  );
}

/** Elements of the SVG whose aria-roledescription is e.g. "rect mark". */
export function svgMarks(svg: string, roleDescription: string): SvgMark[] {
  const marks: SvgMark[] = [];
  for (const [tag] of svg.matchAll(/<(path|line|text|rect|circle)\s[^>]*>/g)) {
    const attributes: Record<string, string> = {};
    for (const [, name, value] of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      attributes[name!] = decode(value!);
    }
    if (attributes['aria-roledescription'] === roleDescription) {
      marks.push({ label: attributes['aria-label'] ?? '', attributes });
    }
  }
  return marks;
}

/** Text content of every `<text>` element (axis labels, titles, legends). */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1]!));
}

interface SceneNode {
  marktype?: string;
  role?: string;
  items?: SceneNode[];
  tooltip?: unknown;
  datum?: Record<string, unknown>;
  x?: number;
  y?: number;
  opacity?: number;
  [key: string]: unknown;
}

/** The items of every `marktype` mark (role "mark", not axes or legends) after the View runs. */
export async function sceneItems(spec: TopLevelSpec, marktype: string): Promise<SceneNode[]> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  await view.runAsync();
  const found: SceneNode[] = [];
  const visit = (node: SceneNode) => {
    if (node.marktype !== undefined) {
      if (node.marktype === marktype && node.role === 'mark') found.push(...(node.items ?? []));
      else for (const item of node.items ?? []) visit(item);
    } else {
      for (const child of node.items ?? []) visit(child);
    }
  };
  visit((view.scenegraph() as unknown as { root: SceneNode }).root);
  view.finalize();
  return found;
}

/** Width and height from a PNG's IHDR chunk (bytes 16-23, big-endian; PNG spec, section 11.2.2). */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!signature.every((b, i) => png[i] === b)) throw new Error('not a PNG');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
