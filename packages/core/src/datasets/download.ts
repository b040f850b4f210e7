/**
 * Downloads a file into the cache directory, once.
 *
 *   1. cache hit: the file is already in `cacheDir` with the right checksum -> no request at all;
 *   2. GET into a temp file next to the target (unique per process, so parallel loaders never
 *      share one), with a progress bar on a terminal and `onProgress` for callers;
 *   3. a dropped connection is resumed where it stopped (HTTP Range, RFC 9110 section 14), or
 *      restarted when the server ignores the range; up to `retries` times, waiting
 *      `retryDelayMs`, doubled at each retry;
 *   4. the checksum is verified, then the temp file is renamed onto the target (atomic);
 *   5. on any failure the temp file is deleted: the cache never holds a partial file.
 */

import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import { cachedCopyUnusable, checksumMismatch, downloadFailed } from '../data-errors.js';
import { invalidArgument } from '../errors.js';
import { tempPathFor } from '../io/atomic-write.js';
import { defaultCacheDir } from './cache-dir.js';
import { type Checksum, fileChecksum } from './checksum.js';

/** Progress of a dataset file being downloaded or read. */
export interface DatasetProgress {
  /** 'download' while bytes arrive from the network, 'read' while a local file is parsed. */
  stage: 'download' | 'read';
  /** The file on disk the bytes go to (or come from). */
  file: string;
  /** Bytes done so far (for a resumed download, counting the bytes of earlier attempts). */
  bytes: number;
  /** Total bytes, when the server (or the file system) says. */
  totalBytes?: number;
}

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /** The http(s) URL to fetch. */
  url: string;
  /** Name of the file in `cacheDir`. Default: the last path segment of `url`. */
  fileName?: string;
  /** Directory the file is kept in. Default: {@link defaultCacheDir}. */
  cacheDir?: string;
  /** Expected checksum. Without one, any file already cached under `fileName` is a hit. */
  checksum?: Checksum;
  /** Retries after the first attempt. Default 3: enough for a flaky link, quick to give up. */
  retries?: number;
  /** Wait before the first retry, doubled for each next one. Default 1000 ms. */
  retryDelayMs?: number;
  /** Give up on an attempt after this long without data. Default 60,000 ms. */
  timeoutMs?: number;
  /** Called as bytes arrive. */
  onProgress?: (progress: DatasetProgress) => void;
  /** Draw a cli-progress bar on stderr. Default: only when stderr is a terminal. */
  progressBar?: boolean;
}

/** An attempt that failed in a way another attempt can fix (network, 5xx, short body). */
class RetryableError extends Error {}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** Downloads `url` into `cacheDir` (see the steps above) and returns the path of the file. */
export async function downloadFile(options: DownloadOptions): Promise<string> {
  const { url, checksum, onProgress } = options;
  const source = parseUrl(url);
  const fileName = options.fileName ?? decodeURIComponent(source.pathname.split('/').pop() ?? '');
  if (!fileName)
    throw invalidArgument('fileName', options.fileName, 'a file name (the url has none)');
  const retries = options.retries ?? 3;
  if (!Number.isInteger(retries) || retries < 0) {
    throw invalidArgument('retries', retries, 'an integer >= 0');
  }
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const target = join(cacheDir, fileName);

  // 1. Cache hit.
  let damaged: string | undefined; // the checksum of a cached copy that failed it
  if (await isFile(target)) {
    const actual = checksum && (await fileChecksum(target, checksum.algorithm));
    if (!checksum || actual === checksum.hex) return target;
    damaged = actual;
    await rm(target, { force: true }); // a damaged cached copy is replaced, not trusted
  }

  await mkdir(cacheDir, { recursive: true });
  const temp = tempPathFor(target);
  const bar =
    (options.progressBar ?? process.stderr.isTTY === true) ? new ProgressBar(fileName) : null;
  const report = (bytes: number, totalBytes?: number) => {
    onProgress?.({ stage: 'download', file: target, bytes, totalBytes });
    bar?.update(bytes, totalBytes);
  };
  try {
    // 2-3. Attempts, each resuming from what the temp file already holds.
    for (let attempt = 1; ; attempt++) {
      try {
        await fetchInto(url, temp, options.timeoutMs ?? 60_000, report);
        break;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (!(error instanceof RetryableError) || attempt > retries) {
          const failed = downloadFailed(url, attempt, reason);
          throw checksum && damaged !== undefined
            ? cachedCopyUnusable(target, checksum.algorithm, checksum.hex, damaged, failed)
            : failed;
        }
        await sleep((options.retryDelayMs ?? 1000) * 2 ** (attempt - 1));
      }
    }
    // 4. Verify, then publish atomically.
    if (checksum) {
      const actual = await fileChecksum(temp, checksum.algorithm);
      if (actual !== checksum.hex) {
        throw checksumMismatch(target, checksum.algorithm, checksum.hex, actual, url);
      }
    }
    await rename(temp, target);
    return target;
  } finally {
    bar?.stop();
    await rm(temp, { force: true }); // 5. (a no-op after the rename)
  }
}

/** One attempt: GET `url` (from the temp file's current size on) and append to `temp`. */
async function fetchInto(
  url: string,
  temp: string,
  timeoutMs: number,
  report: (bytes: number, totalBytes?: number) => void,
): Promise<void> {
  const have = (await isFile(temp)) ? (await stat(temp)).size : 0;
  const response = await get(url, have > 0 ? { range: `bytes=${have}-` } : {}, timeoutMs);
  const status = response.statusCode ?? 0;
  let start = 0;
  let total: number | undefined;
  if (status === 206) {
    // Content-Range: bytes <first>-<last>/<complete length or *>
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers['content-range'] ?? '');
    start = range ? Number(range[1]) : -1;
    total = range && range[3] !== '*' ? Number(range[3]) : undefined;
    if (start !== have) {
      response.resume();
      await rm(temp, { force: true });
      throw new RetryableError(`the server answered a range from byte ${start}, asked ${have}`);
    }
  } else if (status === 200) {
    const length = Number(response.headers['content-length']);
    total = Number.isFinite(length) ? length : undefined;
  } else {
    response.resume();
    if (status === 416) await rm(temp, { force: true }); // our partial file is useless
    const message = `HTTP ${status} ${response.statusMessage ?? ''}`.trim();
    const transient = status >= 500 || status === 408 || status === 429 || status === 416;
    throw transient ? new RetryableError(message) : new Error(message);
  }

  let bytes = start;
  report(bytes, total);
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      report(bytes, total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(response, count, createWriteStream(temp, { flags: start > 0 ? 'a' : 'w' }));
  } catch (error) {
    throw new RetryableError(`connection lost after ${bytes} bytes (${(error as Error).message})`);
  }
  if (total !== undefined && bytes !== total) {
    throw new RetryableError(`connection closed after ${bytes} of ${total} bytes`);
  }
}

/** GET with redirects followed; resolves with the final response (any status). */
function get(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  redirects = MAX_REDIRECTS,
): Promise<IncomingMessage> {
  const target = parseUrl(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(target, { headers: { 'user-agent': 'encdec', ...headers } });
    request.setTimeout(timeoutMs, () => {
      request.destroy(new RetryableError(`no data for ${timeoutMs} ms`));
    });
    request.on('error', (error) => {
      reject(error instanceof RetryableError ? error : new RetryableError(error.message));
    });
    request.on('response', (response) => {
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode ?? 0) && location) {
        response.resume();
        if (redirects === 0) {
          reject(new Error(`more than ${MAX_REDIRECTS} redirects`));
          return;
        }
        get(new URL(location, target).href, headers, timeoutMs, redirects - 1).then(
          resolve,
          reject,
        );
        return;
      }
      resolve(response);
    });
  });
}

function parseUrl(url: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw invalidArgument('url', url, 'an http:// or https:// URL');
  }
  return parsed;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A terminal progress bar in MB, started once the total size is known. */
class ProgressBar {
  private bar: cliProgress.SingleBar | null = null;
  constructor(private readonly label: string) {}

  update(bytes: number, totalBytes?: number): void {
    if (totalBytes === undefined) return;
    const mb = (n: number) => (n / 2 ** 20).toFixed(1);
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `${this.label} [{bar}] {percentage}% | {doneMb}/{totalMb} MB | eta {eta}s`,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(totalBytes, bytes, { doneMb: mb(bytes), totalMb: mb(totalBytes) });
    }
    this.bar.update(bytes, { doneMb: mb(bytes) });
  }

  stop(): void {
    this.bar?.stop();
  }
}
