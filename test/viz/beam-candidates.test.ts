import { beamCandidates, renderSvg } from '@encdec/viz';
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { sceneItems, svgMarks } from './helpers/scene.js';
import { vegaLiteErrors } from './helpers/vega-lite-schema.js';

const vocabulary = ['<pad>', '<start>', '<end>', 'the', 'cat', 'sat'];
// Out of score order on purpose: the chart ranks them.
const row = [
  { tokens: [3, 4, 2], score: -0.9, logProb: -0.9 },
  { tokens: [3, 4, 5, 2], score: -0.4, logProb: -0.4 },
  { tokens: [3, 3, 2], score: -1.5, logProb: -1.5 },
];

/** A text mark of the SVG as a reader sees it: its lines, where it is, how it is drawn. */
interface SvgText {
  lines: string[];
  x: number;
  y: number;
  anchor: string;
  bold: boolean;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (text: string) =>
  text.replace(/&(#\d+|\w+);/g, (whole, code: string) =>
    code.startsWith('#') ? String.fromCharCode(Number(code.slice(1))) : (entities[code] ?? whole),
  );

/** The chart's own text marks (not axis labels), top to bottom, a multi-line text as its lines. */
function textMarks(svg: string): SvgText[] {
  const marks: SvgText[] = [];
  for (const [, attributes, body] of svg.matchAll(/<text ([^>]*)>(.*?)<\/text>/g)) {
    const tag = attributes!; // both groups take part in every match
    if (!tag.includes('aria-roledescription="text mark"')) continue;
    const [, x, y] = /translate\(([-\d.]+),([-\d.]+)\)/.exec(tag)!;
    const lines = body!.includes('<tspan')
      ? [...body!.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => decode(m[1]!))
      : [decode(body!)];
    marks.push({
      lines,
      x: Number(x),
      y: Number(y),
      anchor: /text-anchor="(\w+)"/.exec(tag)![1]!,
      bold: tag.includes('font-weight="bold"'),
    });
  }
  return marks.sort((a, b) => a.y - b.y);
}

describe('beamCandidates', () => {
  it('lists the hypotheses best first, top-down, the best one marked and with the full bar', async () => {
    const spec = beamCandidates([row], { idToToken: vocabulary });
    expect(vegaLiteErrors(spec)).toEqual([]);
    const svg = await renderSvg(spec);
    const texts = textMarks(svg);
    // Left of the bars: rank and score, right-aligned; right of them: the text.
    const labels = texts.filter((t) => t.anchor === 'end').map((t) => t.lines.join(' '));
    expect(labels).toEqual([
      '#1 best · log p \u22120.400',
      '#2 · log p \u22120.900',
      '#3 · log p \u22121.50',
    ]);
    const hypotheses = texts.filter((t) => t.anchor === 'start').map((t) => t.lines.join(' '));
    expect(hypotheses).toEqual(['the cat sat <end>', 'the cat <end>', 'the the <end>']);
    // Only the best label is bold, and each text sits on its label's row.
    expect(texts.filter((t) => t.bold).map((t) => t.lines[0])).toEqual([labels[0]]);
    const rowsY = (anchor: string) => texts.filter((t) => t.anchor === anchor).map((t) => t.y);
    expect(rowsY('start')).toEqual(rowsY('end'));

    // Bars: the best one spans the axis (100%), the others its share, exp(score - best), in rank
    // order down the chart, the best in its own colour.
    const bars = await sceneItems(spec, 'rect');
    const byRank = bars
      .map(
        (b) => b as unknown as { datum: { rank: number }; y: number; width: number; fill: string },
      )
      .sort((a, b) => a.datum.rank - b.datum.rank);
    expect(byRank.map((b) => b.width / byRank[0]!.width)).toEqual([
      1,
      expect.closeTo(Math.exp(-0.5), 2),
      expect.closeTo(Math.exp(-1.1), 2),
    ]);
    expect(byRank[0]!.y).toBeLessThan(byRank[1]!.y);
    expect(byRank[1]!.y).toBeLessThan(byRank[2]!.y);
    expect(new Set(byRank.slice(1).map((b) => b.fill)).size).toBe(1);
    expect(byRank[0]!.fill).not.toBe(byRank[1]!.fill);
    // d3-format writes negative numbers with the minus sign U+2212.
    expect(bars.map((b) => b.tooltip)).toContainEqual({
      rank: '1',
      text: 'the cat sat <end>',
      score: '\u22120.4000',
      'log p': '\u22120.4000',
      'relative to #1': '100.00%',
      length: '4',
    });
  });

  it('wraps a long text between tokens and shows all of it, and the chart fits its content', async () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`);
    const long = [
      { tokens: words, score: -2, logProb: -3 },
      { tokens: words.slice(0, 5), score: -2.5, logProb: -2.5 },
    ];
    const spec = beamCandidates(long, { wrap: 50 });
    expect(vegaLiteErrors(spec)).toEqual([]);
    const svg = await renderSvg(spec);
    const [first, second] = textMarks(svg).filter((t) => t.anchor === 'start');
    expect(first!.lines.join(' ')).toBe(words.join(' '));
    expect(first!.lines.length).toBeGreaterThan(1);
    for (const line of first!.lines) expect(line.length).toBeLessThanOrEqual(50);
    expect(second!.lines).toEqual([words.slice(0, 5).join(' ')]);
    expect(svg).not.toContain('…');
    // A length penalty makes the score differ from log p: the label says "score".
    expect(textMarks(svg)[0]!.lines).toEqual(['#1 best · score \u22122.00']);
    // Rows are tall enough for the longest text, and the rows do not overlap.
    const rows = textMarks(svg).filter((t) => t.anchor === 'start');
    expect(rows[1]!.y - rows[0]!.y).toBeGreaterThanOrEqual(14 * first!.lines.length);
    // No empty column: the drawn text and bars (their ink, as resvg draws the PNG) reach to
    // within Vega's padding of both edges, and nothing is cut off.
    const { left, right } = inkMargins(svg);
    expect(left).toBeGreaterThanOrEqual(0);
    expect(left).toBeLessThan(10);
    expect(right).toBeGreaterThanOrEqual(0);
    expect(right).toBeLessThan(10);
  });

  it('takes a single row, string tokens, and any id-to-token mapping', () => {
    const values = (s: unknown) => (s as { data: { values: { text: string }[] } }).data.values;
    expect(values(beamCandidates(row))[0]!.text).toBe('3 4 5 2');
    expect(values(beamCandidates([{ tokens: ['a', 'b'], score: 0, logProb: 0 }]))[0]!.text).toBe(
      'a b',
    );
    const map = new Map([
      [3, 'le'],
      [4, 'chat'],
    ]);
    expect(values(beamCandidates(row, { idToToken: map }))[0]!.text).toBe('le chat 5 2');
    const fn = (id: number) => `w${id}`;
    expect(values(beamCandidates(row, { idToToken: fn, separator: '_' }))[0]!.text).toBe(
      'w3_w4_w5_w2',
    );
  });

  it('gives each input row its own panel', async () => {
    const spec = beamCandidates([row, row.slice(0, 2)], { idToToken: vocabulary });
    expect(vegaLiteErrors(spec)).toEqual([]);
    const svg = await renderSvg(spec);
    expect(svgMarks(svg, 'bar')).toHaveLength(5);
    expect(textMarks(svg).filter((t) => t.bold)).toHaveLength(2);
  });

  it('rejects bad input', () => {
    expect(() => beamCandidates([])).toThrow('result is empty: there are no hypotheses to plot.');
    expect(() => beamCandidates([row, []])).toThrow('result[1] is empty');
    expect(() => beamCandidates([{ tokens: [1], score: Number.NaN, logProb: 0 }])).toThrow(
      'result[0][0].score must be a finite number, got NaN.',
    );
    expect(() => beamCandidates(row, { wrap: 0 })).toThrow(
      'wrap must be a positive integer, got 0.',
    );
    expect(() => beamCandidates(row, { width: -1 })).toThrow(
      'width must be a positive number, got -1.',
    );
  });
});

/** Empty pixels left and right of everything drawn, the white background left out. */
function inkMargins(svg: string): { left: number; right: number } {
  const width = Number(/<svg[^>]*width="(\d+)"/.exec(svg)![1]);
  const bare = svg.replace(/<rect width="[\d.]+" height="[\d.]+" fill="white"\/>/, '');
  // The fonts svgToPng draws with.
  const fonts = {
    loadSystemFonts: true,
    sansSerifFamily: 'DejaVu Sans',
    defaultFontFamily: 'DejaVu Sans',
  };
  const box = new Resvg(bare, { font: fonts }).getBBox()!;
  return { left: box.x, right: width - (box.x + box.width) };
}
