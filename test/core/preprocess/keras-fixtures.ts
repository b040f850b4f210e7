// Reads the golden outputs that Keras itself produced (test/fixtures/keras/make-fixtures.py) and
// maps Keras' argument names onto ours.
import { readFileSync } from 'node:fs';
import type { PadSequencesOptions, TokenizerOptions } from '@encdec/core';

export function readKerasFixture<T>(name: string): T {
  const url = new URL(`../../fixtures/keras/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

export interface PadCase {
  name: string;
  sequences: number[][];
  kwargs: {
    maxlen?: number;
    padding?: string;
    truncating?: string;
    value?: number;
    dtype?: string;
  };
  dtype: 'int32' | 'float32';
  shape: [number, number];
  expected: number[][];
}

export interface PadFixtures {
  cases: PadCase[];
  errors: { name: string; sequences: number[][]; kwargs: PadCase['kwargs']; keras_error: string }[];
}

export function padOptions(kwargs: PadCase['kwargs']): PadSequencesOptions {
  return kwargs as PadSequencesOptions;
}

export interface KerasTokenizerKwargs {
  num_words?: number | null;
  filters?: string;
  lower?: boolean;
  split?: string;
  char_level?: boolean;
  oov_token?: string | null;
}

export function tokenizerOptions(kwargs: KerasTokenizerKwargs): TokenizerOptions {
  const names: Record<string, keyof TokenizerOptions> = {
    num_words: 'numWords',
    filters: 'filters',
    lower: 'lower',
    split: 'split',
    char_level: 'charLevel',
    oov_token: 'oovToken',
  };
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kwargs)) {
    const name = names[key];
    if (name === undefined) throw new Error(`No TokenizerOptions name for Keras' ${key}`);
    options[name] = value;
  }
  return options as TokenizerOptions;
}

export interface TokenizerCase {
  name: string;
  kwargs: KerasTokenizerKwargs;
  steps: { op: 'fit' | 'fit_sequences'; data: unknown[] }[];
  texts: (string | string[])[];
  sequences: number[][];
  expected: {
    word_index: [string, number][];
    index_word: [number, string][];
    word_counts: [string, number][];
    word_docs: Record<string, number>;
    index_docs: [number, number][];
    document_count: number;
    texts_to_sequences: number[][];
    sequences_to_texts: string[];
    to_json: string;
  };
}
