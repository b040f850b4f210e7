/**
 * The n-best list of a beam search: one bar per hypothesis, labelled with its text, its score on
 * x. Scores are length-normalised log-probabilities (Wu et al. 2016) and so mostly negative: the
 * shortest bar is the best hypothesis.
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
  /** Chart width in pixels. Default 320. */
  width?: number;
}

/** A bar of the chart. */
interface Bar {
  input: number;
  rank: number;
  label: string;
  text: string;
  length: number;
  score: number;
  logProb: number;
}

/**
 * A Vega-Lite bar chart of beam search hypotheses. `result` holds, per input row, an array of
 * hypotheses (or is one such array, for a single input); a row gets its own panel.
 */
export function beamCandidates(
  result: readonly (readonly BeamHypothesisLike[])[] | readonly BeamHypothesisLike[],
  options: BeamCandidatesOptions = {},
): TopLevelSpec {
  if (!Array.isArray(result) || result.length === 0) throw emptyInput('result', 'hypotheses');
  const rows = (
    Array.isArray(result[0]) ? result : [result]
  ) as readonly (readonly BeamHypothesisLike[])[];
  const separator = options.separator ?? ' ';
  const bars: Bar[] = rows.flatMap((hypotheses, input) => {
    if (!Array.isArray(hypotheses) || hypotheses.length === 0) {
      throw emptyInput(`result[${input}]`, 'hypotheses');
    }
    const checked = hypotheses.map((h, i) => check(h, `result[${input}][${i}]`));
    // Best first, whatever order the search returned them in.
    const ranked = [...checked].sort((a, b) => b.score - a.score);
    return ranked.map((h, r) => {
      const text = h.tokens.map((t) => tokenText(t, options.idToToken)).join(separator);
      // The rank prefix keeps two hypotheses with the same text on separate bars.
      return {
        input,
        rank: r + 1,
        label: `${r + 1}. ${text}`,
        text,
        length: h.tokens.length,
        score: h.score,
        logProb: h.logProb,
      };
    });
  });
  const unit = {
    width: options.width ?? 320,
    height: { step: 18 },
    mark: { type: 'bar' },
    encoding: {
      y: {
        field: 'label',
        type: 'nominal',
        title: null,
        sort: { field: 'rank', order: 'ascending' },
        axis: { labelLimit: 360 },
      },
      x: { field: 'score', type: 'quantitative', title: 'score (higher is better)' },
      color: { value: '#4c78a8' },
      tooltip: [
        { field: 'rank', type: 'quantitative' },
        { field: 'text', type: 'nominal' },
        { field: 'score', type: 'quantitative', format: '.4f' },
        { field: 'logProb', type: 'quantitative', format: '.4f', title: 'log p' },
        { field: 'length', type: 'quantitative' },
      ],
    },
  };
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title ?? 'Beam search candidates',
    data: { values: bars },
  };
  if (rows.length === 1) return { ...common, ...unit } as TopLevelSpec;
  return {
    ...common,
    facet: {
      row: { field: 'input', type: 'ordinal', title: 'input row', header: { labelAngle: 0 } },
    },
    spec: unit,
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
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
