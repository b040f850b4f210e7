/**
 * Reads the labelled reviews of the Stanford Large Movie Review Dataset (Maas et al., "Learning
 * Word Vectors for Sentiment Analysis", ACL-HLT 2011) from its release tarball `aclImdb_v1.tar.gz`
 * (streamed: gunzip + tar parse with node-tar, nothing extracted to disk) or from an extracted
 * `aclImdb/` directory. Layout: `aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt`, 12,500 reviews
 * per folder; ratings 7-10 are positive (label 1), 1-4 negative (label 0). `train/unsup` and all
 * other files are skipped.
 *
 * Order: per split, the `pos` reviews by file name, then the `neg` ones by file name (plain string
 * order: "0_9.txt" < "10000_8.txt" < "10001_10.txt" < ... < "1000_8.txt"). This is the order of
 * Keras' `imdb.npz` (its first shuffled review with seed 113, index 7798, is train/pos/576_10.txt,
 * the 7799th pos file in this order), so one seed gives the same shuffle as Keras.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser } from 'tar';
import { datasetFileCorrupt, datasetFileMissing } from '../data-errors.js';
import type { DatasetProgress } from './download.js';

/** The two labelled splits of the release. */
export type ImdbSplitName = 'train' | 'test';

/** One review of the Stanford release. */
export interface ImdbReview {
  /** The review as written, HTML line breaks (`<br />`) included. */
  text: string;
  /** 1 for a positive review (rating >= 7), 0 for a negative one (rating <= 4). */
  label: 0 | 1;
  /** The reviewer's rating, 1-10 (never 5 or 6 in the labelled splits). */
  rating: number;
  /** The number in the file name: unique within one split and one label only. */
  id: number;
}

/** Both labelled splits, each in the order described above. */
export type AclImdbReviews = Record<ImdbSplitName, ImdbReview[]>;

const REVIEW_PATH = /^(?:\.\/)?aclImdb\/(train|test)\/(pos|neg)\/((\d+)_(\d+)\.txt)$/;

/** A review with the file name it came from, before sorting. */
interface Found {
  name: string;
  review: ImdbReview;
}

/**
 * All labelled reviews of `source`: a `.tar.gz` file, or a directory that holds `aclImdb/` (or is
 * `aclImdb/` itself). Errors name the file and say what to do when it is missing or damaged
 * (`remedy`, when the default advice to download it afresh does not apply).
 */
export async function readAclImdb(
  source: string,
  onProgress?: (progress: DatasetProgress) => void,
  remedy?: string,
): Promise<AclImdbReviews> {
  const info = await stat(source).catch(() => null);
  if (!info) throw datasetFileMissing(source);
  const found = info.isDirectory()
    ? await readDirectory(source)
    : await readTarball(source, info.size, onProgress, remedy);
  const reviews = { train: sortReviews(found.train), test: sortReviews(found.test) };
  for (const split of ['train', 'test'] as const) {
    if (reviews[split].length === 0) {
      throw datasetFileCorrupt(
        source,
        `no aclImdb/${split}/{pos,neg}/<id>_<rating>.txt review in it`,
        'Use the Stanford release aclImdb_v1.tar.gz (or its extracted aclImdb/ directory).',
      );
    }
  }
  return reviews;
}

async function readTarball(
  file: string,
  size: number,
  onProgress?: (progress: DatasetProgress) => void,
  remedy?: string,
): Promise<Record<ImdbSplitName, Found[]>> {
  const found: Record<ImdbSplitName, Found[]> = { train: [], test: [] };
  // strict: a damaged archive is an error, not a warning that silently drops reviews.
  const parser = new Parser({
    strict: true,
    onReadEntry(entry) {
      const match = REVIEW_PATH.exec(entry.path);
      if (!match || entry.type !== 'File') {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => {
        const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        found[match[1] as ImdbSplitName].push(toFound(match, bytes.toString('utf8')));
      });
    },
  });
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      onProgress?.({ stage: 'read', file, bytes, totalBytes: size });
      done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(file), count, parser);
  } catch (error) {
    throw datasetFileCorrupt(file, `not a readable .tar.gz: ${(error as Error).message}`, remedy);
  }
  return found;
}

async function readDirectory(dir: string): Promise<Record<ImdbSplitName, Found[]>> {
  const root = (await isDirectory(join(dir, 'aclImdb'))) ? join(dir, 'aclImdb') : dir;
  const found: Record<ImdbSplitName, Found[]> = { train: [], test: [] };
  for (const split of ['train', 'test'] as const) {
    for (const folder of ['pos', 'neg']) {
      const path = join(root, split, folder);
      if (!(await isDirectory(path))) throw datasetFileMissing(path);
      for (const name of await readdir(path)) {
        const match = REVIEW_PATH.exec(`aclImdb/${split}/${folder}/${name}`);
        if (match) found[split].push(toFound(match, await readFile(join(path, name), 'utf8')));
      }
    }
  }
  return found;
}

function toFound(match: RegExpExecArray, text: string): Found {
  return {
    name: `${match[2]}/${match[3]}`,
    review: {
      text,
      label: match[2] === 'pos' ? 1 : 0,
      rating: Number(match[5]),
      id: Number(match[4]),
    },
  };
}

/** pos (label 1) before neg (label 0), then by file name in plain string order. */
function sortReviews(found: Found[]): ImdbReview[] {
  found.sort((a, b) => {
    if (a.review.label !== b.review.label) return b.review.label - a.review.label;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  return found.map((f) => f.review);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
