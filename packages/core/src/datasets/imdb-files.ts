/**
 * Where the IMDB files come from. In this order:
 *   1. `path`, a local directory, when given;
 *   2. `ENCDEC_DATA_DIR`, when set (the offline copy on CI and the development machines);
 *   3. otherwise a download from upstream into `<cacheDir>/imdb`, once (see download.ts).
 * A local directory is never silently bypassed: a file missing there is an error that says so.
 * A local word index (and `imdb.npz`) must be the published file, as Keras checks it: an edited
 * one would give wrong ids. The Stanford tarball is not checked: a repackaged copy (such as the
 * offline one, without `train/unsup`) holds the same reviews, and a damaged one fails to read.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetFileMissing, localChecksumMismatch, localFileRemedy } from '../data-errors.js';
import { dataDirFromEnv, defaultCacheDir } from './cache-dir.js';
import { type Checksum, fileChecksum } from './checksum.js';
import { type DatasetProgress, downloadFile } from './download.js';

/** Where to look for (or put) the IMDB files; shared by every IMDB loader. */
export interface ImdbLocationOptions {
  /** A local directory holding the files. Default: `ENCDEC_DATA_DIR`, else download. */
  path?: string;
  /**
   * Where downloads and the indexed corpus are cached. Default: `ENCDEC_CACHE_DIR`, else
   * `$XDG_CACHE_HOME/encdec`, else `~/.cache/encdec`.
   */
  cacheDir?: string;
  /** Progress of downloads and of reading the archive. */
  onProgress?: (progress: DatasetProgress) => void;
  /**
   * Check a local `imdb_word_index.json` (and `imdb.npz`) against the checksum of the published
   * file, as Keras does. Default true; false to use files of your own (a test corpus, say).
   */
  verifyChecksums?: boolean;
}

/** An upstream file: its name, URL and published checksum. */
export interface RemoteFile {
  fileName: string;
  url: string;
  checksum: Checksum;
}

/** The upstream IMDB files (URLs and checksums as published by Stanford and Keras). */
export const IMDB_FILES = {
  /** The Stanford release (84 MB, with `train/unsup`); md5 as published with torchtext. */
  aclImdb: {
    fileName: 'aclImdb_v1.tar.gz',
    url: 'https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz',
    checksum: { algorithm: 'md5', hex: '7c2ac02c03563afcf9b574c7e56c153a' },
  },
  /** Keras' word index; Keras checks this md5 (`get_word_index`). */
  wordIndex: {
    fileName: 'imdb_word_index.json',
    url: 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json',
    checksum: { algorithm: 'md5', hex: 'bfafd718b763782e994055a2d397834f' },
  },
  /** Keras' pre-indexed sequences; md5 from Keras 2's `load_data` (Keras 3 checks a sha256). */
  npz: {
    fileName: 'imdb.npz',
    url: 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz',
    checksum: { algorithm: 'md5', hex: '599dadb1135973df5b59232a0e9a887c' },
  },
} as const satisfies Record<string, RemoteFile>;

/** The directory that must hold the files locally, or undefined to download them. */
export function localImdbDir(options: ImdbLocationOptions): string | undefined {
  return options.path ?? dataDirFromEnv();
}

/** Directory of the IMDB downloads and caches. */
export function imdbCacheDir(options: ImdbLocationOptions): string {
  return join(options.cacheDir ?? defaultCacheDir(), 'imdb');
}

/** The path of `file`: in the local directory (which must hold it), else downloaded once. */
export async function locateImdbFile(
  file: RemoteFile,
  options: ImdbLocationOptions,
): Promise<string> {
  const dir = localImdbDir(options);
  if (dir !== undefined) {
    const local = join(dir, file.fileName);
    if (!(await exists(local))) {
      throw datasetFileMissing(
        local,
        `Put ${file.fileName} (from ${file.url}) in ${dir}, or pass another \`path\` (or unset ENCDEC_DATA_DIR to download it).`,
      );
    }
    if (options.verifyChecksums ?? true) {
      const { algorithm, hex } = file.checksum;
      const actual = await fileChecksum(local, algorithm);
      if (actual !== hex) throw localChecksumMismatch(local, algorithm, hex, actual, file.url);
    }
    return local;
  }
  return downloadFile({ ...file, cacheDir: imdbCacheDir(options), onProgress: options.onProgress });
}

/** What to do about `file` when it cannot be read: replace the local copy, or download afresh. */
export function corruptFileRemedy(
  file: RemoteFile,
  options: ImdbLocationOptions,
): string | undefined {
  return localImdbDir(options) === undefined
    ? undefined // the default remedy: delete the cached copy and load again
    : localFileRemedy(file.url, file.checksum.algorithm, file.checksum.hex);
}

/**
 * The Stanford release: `aclImdb_v1.tar.gz`, or else an extracted `aclImdb/` directory, in the
 * local directory; downloaded when there is none.
 */
export async function locateAclImdb(options: ImdbLocationOptions): Promise<string> {
  const dir = localImdbDir(options);
  if (dir !== undefined) {
    const tarball = join(dir, IMDB_FILES.aclImdb.fileName);
    if (await exists(tarball)) return tarball;
    if (await exists(join(dir, 'aclImdb'))) return join(dir, 'aclImdb');
    throw datasetFileMissing(
      `${tarball} (or an extracted ${join(dir, 'aclImdb')}/)`,
      `Put the Stanford release (${IMDB_FILES.aclImdb.url}) in ${dir}, or pass another \`path\` (or unset ENCDEC_DATA_DIR to download it).`,
    );
  }
  return locateImdbFile(IMDB_FILES.aclImdb, options);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
