/**
 * The Keras tokenizer file: what `tokenizer.to_json()` writes and
 * `keras.preprocessing.text.tokenizer_from_json` reads (keras_preprocessing 1.1 `text.py`).
 *
 *   {"class_name": "Tokenizer",
 *    "config": {"num_words": null, "filters": "...", "lower": true, "split": " ",
 *               "char_level": false, "oov_token": null, "document_count": 3,
 *               "word_counts": "{\"the\": 3, ...}",   <- each dictionary is itself a JSON string
 *               "word_docs": "...", "index_docs": "{\"1\": 2, ...}",
 *               "index_word": "{\"1\": \"the\", ...}", "word_index": "{\"the\": 1, ...}"}}
 *
 * Integer keys (`index_docs`, `index_word`) are strings in the file, as Python's `json.dumps`
 * writes them; the dictionaries are written byte-for-byte as Keras writes them (see python-json.ts).
 */
import { invalidTokenizerJson } from '../data-errors.js';
import { parseOrderedObject, pythonJsonObject } from './python-json.js';

/** The `config` of a Keras tokenizer file; the dictionaries are JSON strings. */
export interface KerasTokenizerConfig {
  num_words: number | null;
  filters: string;
  lower: boolean;
  split: string;
  char_level: boolean;
  oov_token: string | null;
  document_count: number;
  word_counts: string;
  word_docs: string;
  index_docs: string;
  index_word: string;
  word_index: string;
}

/** A Keras tokenizer file, parsed once (`JSON.stringify` of it is the file). */
export interface KerasTokenizerJson {
  class_name: 'Tokenizer';
  config: KerasTokenizerConfig;
}

/** Everything a tokenizer learns, in Keras' insertion order. */
export interface TokenizerState {
  wordCounts: Map<string, number>;
  wordDocs: Map<string, number>;
  indexDocs: Map<number, number>;
  wordIndex: Map<string, number>;
  indexWord: Map<number, string>;
  documentCount: number;
}

/** The tokenizer's settings, as Keras names them. */
export interface KerasTokenizerSettings {
  num_words: number | null;
  filters: string;
  lower: boolean;
  split: string;
  char_level: boolean;
  oov_token: string | null;
}

/** Settings and state -> the Keras layout, keys in `get_config()`'s order. */
export function toKerasJson(
  settings: KerasTokenizerSettings,
  state: TokenizerState,
): KerasTokenizerJson {
  return {
    class_name: 'Tokenizer',
    config: {
      ...settings,
      document_count: state.documentCount,
      word_counts: pythonJsonObject(state.wordCounts),
      word_docs: pythonJsonObject(state.wordDocs),
      index_docs: pythonJsonObject(state.indexDocs),
      index_word: pythonJsonObject(state.indexWord),
      word_index: pythonJsonObject(state.wordIndex),
    },
  };
}

const SETTINGS = ['num_words', 'filters', 'lower', 'split', 'char_level', 'oov_token'] as const;
const DICTIONARIES = [
  'word_counts',
  'word_docs',
  'index_docs',
  'index_word',
  'word_index',
] as const;

/**
 * A Keras tokenizer file (its text, or the parsed object) -> settings (checked later by the
 * Tokenizer constructor) and state. Like Keras, every dictionary must be present; unlike Keras
 * (which raises TypeError), `analyzer: null` from newer tf.keras files is accepted.
 */
export function fromKerasJson(json: string | KerasTokenizerJson): {
  settings: Partial<KerasTokenizerSettings>;
  state: TokenizerState;
} {
  let parsed: unknown = json;
  if (typeof json === 'string') {
    try {
      parsed = JSON.parse(json);
    } catch {
      throw invalidTokenizerJson('json', json, 'the JSON text of a Keras tokenizer');
    }
  }
  if (!isRecord(parsed)) throw invalidTokenizerJson('json', parsed, 'an object');
  if (parsed.class_name !== 'Tokenizer') {
    throw invalidTokenizerJson('class_name', parsed.class_name, '"Tokenizer"');
  }
  const config = parsed.config;
  if (!isRecord(config)) throw invalidTokenizerJson('config', config, 'an object');
  const known = new Set<string>([...SETTINGS, ...DICTIONARIES, 'document_count']);
  for (const key of Object.keys(config)) {
    if (key === 'analyzer' && config[key] === null) continue;
    if (!known.has(key)) throw invalidTokenizerJson(`config.${key}`, config[key], 'absent');
  }

  const settings: Partial<KerasTokenizerSettings> = {};
  for (const key of SETTINGS) {
    // Absent settings take the constructor's defaults, as in Keras' `Tokenizer(**config)`.
    if (key in config) (settings as Record<string, unknown>)[key] = config[key];
  }
  const documentCount = config.document_count ?? 0;
  if (!isCount(documentCount)) {
    throw invalidTokenizerJson('config.document_count', documentCount, 'a non-negative integer');
  }

  const dictionary = (name: (typeof DICTIONARIES)[number]) => {
    const text = config[name];
    if (typeof text !== 'string') {
      throw invalidTokenizerJson(`config.${name}`, text, 'a JSON object in a string');
    }
    try {
      return parseOrderedObject(text, `config.${name}`);
    } catch {
      throw invalidTokenizerJson(`config.${name}`, text, 'a JSON object in a string');
    }
  };
  // Python's `int(k)` for the integer-keyed dictionaries; counts and indices are integers.
  const toIndex = (name: string, key: string) => {
    const index = Number(key);
    if (!/^-?\d+$/.test(key.trim()) || !Number.isSafeInteger(index)) {
      throw invalidTokenizerJson(`config.${name}`, key, 'integer keys');
    }
    return index;
  };
  const counts = (name: string, value: string | number) => {
    if (!isCount(value)) throw invalidTokenizerJson(`config.${name}`, value, 'integer values');
    return value;
  };
  const words = (name: string, value: string | number) => {
    if (typeof value !== 'string') {
      throw invalidTokenizerJson(`config.${name}`, value, 'string values');
    }
    return value;
  };

  const state: TokenizerState = {
    documentCount,
    wordCounts: new Map(dictionary('word_counts').map(([k, v]) => [k, counts('word_counts', v)])),
    wordDocs: new Map(dictionary('word_docs').map(([k, v]) => [k, counts('word_docs', v)])),
    indexDocs: new Map(
      dictionary('index_docs').map(([k, v]) => [toIndex('index_docs', k), counts('index_docs', v)]),
    ),
    indexWord: new Map(
      dictionary('index_word').map(([k, v]) => [toIndex('index_word', k), words('index_word', v)]),
    ),
    wordIndex: new Map(dictionary('word_index').map(([k, v]) => [k, counts('word_index', v)])),
  };
  return { settings, state };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}
