/**
 * The tokenization behind Keras' IMDB word index (`imdb_word_index.json`), recovered from the index
 * itself and checked against the corpus:
 *   1. lowercase ASCII letters only (A-Z -> a-z; "Ángela" keeps its capital, as in the index);
 *   2. replace every character of Keras' default `Tokenizer` filters
 *      !"#$%&()*+,-./:;<=>?@[\]^_`{|}~ tab newline  by a space (so `<br />` gives "br", rank 7;
 *      the apostrophe is not a filter, so "don't" and "film's" stay words);
 *   3. split on spaces, drop empty pieces (any other character, e.g. U+00A0 or U+0096, stays
 *      inside its word, as in the index).
 * Over the Stanford train split this gives exactly the 88,584 words of the index with their
 * frequency ranks (no train word is unknown), and it reproduces the sequences of Keras' own
 * `imdb.npz` (see test/core/datasets/imdb-real.test.ts).
 */

/** Runs of filter characters and spaces: the separators of step 2 and 3. */
const SEPARATORS = /[ !"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~\t\n]+/;
const ASCII_UPPER = /[A-Z]+/g;

/** The words of one review, as Keras' IMDB word index counts them. */
export function tokenizeImdb(text: string): string[] {
  const words = text.replace(ASCII_UPPER, (run) => run.toLowerCase()).split(SEPARATORS);
  // split() leaves one empty piece at each end when the text starts or ends with a separator.
  if (words.length > 0 && words[words.length - 1] === '') words.pop();
  if (words.length > 0 && words[0] === '') words.shift();
  return words;
}
