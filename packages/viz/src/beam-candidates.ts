/**
 * The n-best list of a beam search, read top-down in rank order: per hypothesis its rank and
 * score, a bar of its probability relative to the best one, and its full text, wrapped.
 *
 * Scores are log-probabilities (after any length penalty, Wu et al. 2016), so mostly negative; a
 * bar from 0 to the score would make the best hypothesis the shortest. The bar shows
 * exp(score - best score) instead: 1 for the best, the share of its probability for the others
 * (with a length penalty, of its length-normalised probability).
 */

import type { TopLevelSpec } from 'vega-lite';
import { emptyInput, invalidArgument } from './errors.js';

/** One finished hypothesis, read structurally from `@encdec/core`'s beam search. */
export interface BeamHypothesisLike {
  tokens: readonly number[] | readonly string[];
  /** The ranking score (log-probability after any length penalty). */
  score: number;
  /** The summed log-probability of the tokens. */
  logProb: number;
}

/** Maps a token id to its text: a function, an id-indexed array, a `Map` or a plain record. */
export type IdToToken =
  | ((id: number) => string | undefined)
  | readonly string[]
  | ReadonlyMap<number, string>
  | Readonly<Record<number, string>>;

export interface BeamCandidatesOptions {
  /** Turns token ids into text. Default: ids are shown as numbers. */
  idToToken?: IdToToken;
  /** Text between tokens. Default `' '` (word-level vocabularies). */
  separator?: string;
  /** Chart title. Default: "Beam search candidates". */
  title?: string;
  /** Width of the bars' column in pixels. Default 120; the text column is as wide as its text. */
  width?: number;
  /**
   * Characters per line of a hypothesis' text; longer texts wrap between tokens, never inside one.
   * Default 60: a 12-word sentence on one or two lines.
   */
  wrap?: number;
}

/** The best hypothesis' colour; the others are drawn in grey, so the best stands out. */
const BEST_COLOR = '#4c78a8';
const OTHER_COLOR = '#b7c3d0';
/** Pixels per line of text, and above and below a row's text. */
const LINE_HEIGHT = 14;
const ROW_PADDING = 8;
/** Pixels between the bars and the texts on either side. */
const GAP = 10;
const TEXT_MARK = { type: 'text', baseline: 'middle', fontSize: 12, lineHeight: LINE_HEIGHT };

/** A row of the chart. */
interface Row {
  input: number;
  rank: number;
  /** The label left of the bar: rank and score, "best" on the first. */
  label: string;
  text: string;
  /** `text` wrapped to lines. */
  lines: string[];
  length: number;
  score: number;
  logProb: number;
  /** exp(score - best score) in (0, 1]. */
  relative: number;
}

/**
 * A Vega-Lite chart of beam search hypotheses. `result` holds, per input row, an array of
 * hypotheses (or is one such array, for a single input); an input row gets its own panel.
 */
export function beamCandidates(
  result: readonly (readonly BeamHypothesisLike[])[] | readonly BeamHypothesisLike[],
  options: BeamCandidatesOptions = {},
): TopLevelSpec {
  if (!Array.isArray(result) || result.length === 0) throw emptyInput('result', 'hypotheses');
  const inputs = (
    Array.isArray(result[0]) ? result : [result]
  ) as readonly (readonly BeamHypothesisLike[])[];
  const separator = options.separator ?? ' ';
  const wrapAt = options.wrap ?? 60;
  if (!(Number.isInteger(wrapAt) && wrapAt > 0)) {
    throw invalidArgument('wrap', wrapAt, 'a positive integer');
  }
  const width = options.width ?? 120;
  if (!(Number.isFinite(width) && width > 0)) {
    throw invalidArgument('width', width, 'a positive number');
  }
  const rows: Row[] = inputs.flatMap((hypotheses, input) => {
    if (!Array.isArray(hypotheses) || hypotheses.length === 0) {
      throw emptyInput(`result[${input}]`, 'hypotheses');
    }
    const checked = hypotheses.map((h, i) => check(h, `result[${input}][${i}]`));
    // Best first, whatever order the search returned them in.
    const ranked = [...checked].sort((a, b) => b.score - a.score);
    const best = ranked[0]!.score;
    // Without a length penalty the score is the log-probability: name it so.
    const scoreName = ranked.every((h) => h.score === h.logProb) ? 'log p' : 'score';
    return ranked.map((h, r) => {
      const tokens = h.tokens.map((t) => tokenText(t, options.idToToken));
      const head = r === 0 ? '#1 best' : `#${r + 1}`;
      return {
        input,
        rank: r + 1,
        label: `${head} · ${scoreName} ${formatScore(h.score)}`,
        text: tokens.join(separator),
        lines: wrap(tokens, separator, wrapAt),
        length: h.tokens.length,
        score: h.score,
        logProb: h.logProb,
        relative: Math.exp(h.score - best),
      };
    });
  });
  const maxLines = Math.max(...rows.map((row) => row.lines.length));
  const unit = {
    width,
    height: { step: maxLines * LINE_HEIGHT + 2 * ROW_PADDING },
    // One row per rank, top-down; the labels are text marks, so panels can share this scale.
    encoding: { y: { field: 'rank', type: 'ordinal', sort: 'ascending', axis: null } },
    layer: [
      rankLabels('datum.rank === 1', 'bold'),
      rankLabels('datum.rank > 1', 'normal'),
      {
        mark: { type: 'bar', height: { band: 0.6 } },
        encoding: {
          x: {
            field: 'relative',
            type: 'quantitative',
            scale: { domain: [0, 1] },
            axis: { format: '.0%', values: [0, 0.25, 0.5, 0.75, 1] },
            title: 'probability relative to #1',
          },
          color: { condition: { test: 'datum.rank === 1', value: BEST_COLOR }, value: OTHER_COLOR },
          tooltip: [
            { field: 'rank', type: 'quantitative' },
            { field: 'text', type: 'nominal' },
            { field: 'score', type: 'quantitative', format: '.4f' },
            { field: 'logProb', type: 'quantitative', format: '.4f', title: 'log p' },
            { field: 'relative', type: 'quantitative', format: '.2%', title: 'relative to #1' },
            { field: 'length', type: 'quantitative' },
          ],
        },
      },
      {
        mark: { ...TEXT_MARK, align: 'left', limit: 0 }, // never cut the text: it wraps instead
        encoding: {
          x: { value: width + GAP },
          text: { field: 'lines', type: 'nominal' },
        },
      },
    ],
  };
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title ?? 'Beam search candidates',
    data: { values: rows },
  };
  if (inputs.length === 1) return { ...common, ...unit } as TopLevelSpec;
  return {
    ...common,
    facet: {
      row: { field: 'input', type: 'ordinal', title: 'input row', header: { labelAngle: 0 } },
    },
    spec: unit,
  } as TopLevelSpec;
}

/** The rank-and-score labels left of the bars, of the rows `test` picks. */
function rankLabels(test: string, fontWeight: 'bold' | 'normal') {
  return {
    transform: [{ filter: test }],
    mark: { ...TEXT_MARK, align: 'right', fontWeight },
    encoding: { x: { value: -GAP }, text: { field: 'label', type: 'nominal' } },
  };
}

/** Tokens joined by `separator` into lines of at most `width` characters (a longer token alone). */
function wrap(tokens: readonly string[], separator: string, width: number): string[] {
  const lines: string[] = [];
  let line: string | undefined;
  for (const token of tokens) {
    if (line !== undefined && line.length + separator.length + token.length <= width) {
      line += separator + token;
    } else {
      if (line !== undefined) lines.push(line);
      line = token;
    }
  }
  return line === undefined ? [''] : [...lines, line];
}

/** A score as the axis writes numbers: 3 significant decimals, the minus sign U+2212. */
function formatScore(score: number): string {
  const abs = Math.abs(score);
  const digits = abs >= 1 ? abs.toFixed(2) : abs >= 0.001 ? abs.toFixed(3) : abs.toExponential(1);
  return `${score < 0 ? '\u2212' : ''}${digits}`;
}

function check(h: BeamHypothesisLike, name: string): BeamHypothesisLike {
  if (h === null || typeof h !== 'object' || !Array.isArray(h.tokens)) {
    throw invalidArgument(name, h, 'a hypothesis {tokens, score, logProb}');
  }
  for (const key of ['score', 'logProb'] as const) {
    if (typeof h[key] !== 'number' || !Number.isFinite(h[key])) {
      throw invalidArgument(`${name}.${key}`, h[key], 'a finite number');
    }
  }
  return h;
}

function tokenText(token: number | string, idToToken: IdToToken | undefined): string {
  if (typeof token === 'string' || idToToken === undefined) return String(token);
  const text =
    typeof idToToken === 'function'
      ? (idToToken as (id: number) => string | undefined)(token)
      : idToToken instanceof Map
        ? idToToken.get(token)
        : (idToToken as Readonly<Record<number, string>>)[token];
  // An id the vocabulary lacks is shown as the id, so nothing silently disappears.
  return text ?? String(token);
}
