/**
 * Keras' `text_to_word_sequence`: how a text becomes words, shared by `Tokenizer` and
 * `Vocabulary`. The steps, in Keras' order (keras_preprocessing 1.1, `text.py`):
 *
 *   1. lower-case the whole text (when `lower`);
 *   2. replace every character of `filters` by `split` (Python's `str.translate`);
 *   3. split on `split` (Python's `str.split(sep)`: the exact separator, not "any whitespace");
 *   4. drop the empty strings.
 *
 * Characters are Unicode code points, as in Python: a filter may be an emoji.
 */
import { invalidArgument } from '../errors.js';

/** Keras' default `filters`: ASCII punctuation except the apostrophe, plus tab and newline. */
export const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

/** How a text is cut into words; the defaults are Keras'. */
export interface TextToWordSequenceOptions {
  /** Characters removed (each becomes a `split`). Default {@link KERAS_FILTERS}. */
  filters?: string;
  /** Lower-case the text before anything else. Default `true`. */
  lower?: boolean;
  /** The word separator; must not be empty (Python rejects an empty separator). Default `' '`. */
  split?: string;
}

/** Validated, defaulted options; builds the filter's regular expression once. */
export interface WordSplitter {
  readonly filters: string;
  readonly lower: boolean;
  readonly split: string;
  /** The words of `text`, exactly as Keras' `text_to_word_sequence` gives them. */
  words(text: string): string[];
}

/** Checks the options once, so that a tokenizer can split many texts without re-checking. */
export function wordSplitter(options: TextToWordSequenceOptions = {}): WordSplitter {
  const { filters = KERAS_FILTERS, lower = true, split = ' ' } = options;
  if (typeof filters !== 'string') throw invalidArgument('filters', filters, 'a string');
  if (typeof lower !== 'boolean') throw invalidArgument('lower', lower, 'a boolean');
  if (typeof split !== 'string' || split.length === 0) {
    throw invalidArgument('split', split, 'a non-empty string');
  }
  const filterPattern = characterClass([...filters], 'g');
  // With a one-character `split`, steps 2-4 are one split on runs of (filters + split), which is
  // faster; a longer `split` can overlap itself ('a---b' by '--' is ['a', '-b']), so it keeps them.
  const runPattern = split.length === 1 ? characterClass([...filters, split], '', '+') : null;

  return {
    filters,
    lower,
    split,
    words(text: string): string[] {
      if (lower) text = text.toLowerCase();
      if (runPattern !== null) {
        const words = text.split(runPattern);
        // Only the first and last pieces can be empty (a separator run at either end).
        if (words.length > 0 && words[words.length - 1] === '') words.pop();
        if (words.length > 0 && words[0] === '') words.shift();
        return words;
      }
      if (filterPattern !== null) text = text.replace(filterPattern, split);
      return text.split(split).filter((word) => word.length > 0);
    },
  };
}

/**
 * A regular expression matching any one of `chars` (code points), or null for none. The `u` flag
 * (slower) only when a character is outside the BMP, since then it must match a surrogate pair.
 */
function characterClass(chars: string[], flags: string, repeat = ''): RegExp | null {
  const unique = [...new Set(chars)];
  if (unique.length === 0) return null;
  const astral = unique.some((c) => c.codePointAt(0)! > 0xffff);
  // Escaping every character by code point needs no thought about `]`, `^`, `-` or `\`.
  const escaped = (c: string) => {
    const hex = c.codePointAt(0)!.toString(16);
    return astral ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
  };
  return new RegExp(`[${unique.map(escaped).join('')}]${repeat}`, astral ? `${flags}u` : flags);
}

/**
 * Keras' `text_to_word_sequence(text, filters, lower, split)`.
 *
 * @example textToWordSequence('The cat, the hat!') // ['the', 'cat', 'the', 'hat']
 */
export function textToWordSequence(
  text: string,
  options: TextToWordSequenceOptions = {},
): string[] {
  if (typeof text !== 'string') throw invalidArgument('text', text, 'a string');
  return wordSplitter(options).words(text);
}
