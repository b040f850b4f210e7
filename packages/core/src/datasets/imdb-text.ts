/**
 * `loadImdbText`: the raw IMDB reviews (Maas et al. 2011) with their labels, ratings and ids, for
 * those who tokenize themselves. Order: per split, positive reviews by file name, then negative
 * ones (see acl-imdb.ts); shuffle before training.
 */
import { invalidArgument } from '../errors.js';
import { type ImdbReview, type ImdbSplitName, readAclImdb } from './acl-imdb.js';
import {
  corruptFileRemedy,
  IMDB_FILES,
  type ImdbLocationOptions,
  locateAclImdb,
} from './imdb-files.js';

/** Options of {@link loadImdbText}. */
export interface LoadImdbTextOptions extends ImdbLocationOptions {
  /** Which labelled split. Default 'train'. */
  split?: ImdbSplitName;
}

/** The reviews of one split of the Stanford release, 25,000 of them. */
export async function loadImdbText(options: LoadImdbTextOptions = {}): Promise<ImdbReview[]> {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test')
    throw invalidArgument('split', split, "'train' or 'test'");
  const source = await locateAclImdb(options);
  const reviews = await readAclImdb(
    source,
    options.onProgress,
    corruptFileRemedy(IMDB_FILES.aclImdb, options),
  );
  return reviews[split];
}
