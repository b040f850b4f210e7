import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type DatasetProgress, EncdecError } from '@encdec/core';
import { downloadFile } from '@encdec/core/internal';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from './fixtures.js';

// 300 KB of deterministic bytes: large enough to arrive in several chunks.
const content = Buffer.alloc(300_000);
for (let i = 0; i < content.length; i++) content[i] = (i * 7919 + (i >> 8)) & 0xff;
const md5 = createHash('md5').update(content).digest('hex');
const half = 120_000;

/** What the loopback server does for the next requests; the default serves `content`. */
type Behaviour = (req: IncomingMessage, res: ServerResponse, n: number) => void;
let behaviours: Behaviour[] = [];
let requests: { url: string; range?: string }[] = [];

/** Serves `content`, honouring `Range: bytes=<start>-` with a 206 (RFC 9110 section 14). */
function serve(req: IncomingMessage, res: ServerResponse, body = content): void {
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    res.writeHead(206, {
      'content-length': body.length - start,
      'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
    });
    res.end(body.subarray(start));
  } else {
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  }
}

const server = createServer((req, res) => {
  requests.push({ url: req.url ?? '', range: req.headers.range });
  const behaviour = behaviours.shift() ?? ((q, s) => serve(q, s));
  behaviour(req, res, requests.length);
});
let base = '';
beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  behaviours = [];
  requests = [];
});

const checksum = { algorithm: 'md5', hex: md5 } as const;
const quiet = { retryDelayMs: 1, progressBar: false };

describe('downloadFile against a loopback server', () => {
  it('downloads, verifies and reports progress; a second call is a cache hit with no request', async () => {
    const dir = tempDir();
    const progress: DatasetProgress[] = [];
    const path = await downloadFile({
      url: `${base}/data/file.bin`,
      cacheDir: dir,
      checksum,
      onProgress: (p) => progress.push(p),
      ...quiet,
    });
    expect(path).toBe(join(dir, 'file.bin'));
    expect((await readFile(path)).equals(content)).toBe(true);
    expect(progress.at(-1)).toEqual({
      stage: 'download',
      file: path,
      bytes: content.length,
      totalBytes: content.length,
    });
    expect(progress.length).toBeGreaterThan(2);
    expect(await readdir(dir)).toEqual(['file.bin']); // no temp file left

    expect(
      await downloadFile({ url: `${base}/data/file.bin`, cacheDir: dir, checksum, ...quiet }),
    ).toBe(path);
    expect(requests).toHaveLength(1);
  });

  it('replaces a damaged cached copy', async () => {
    const dir = tempDir();
    await writeFile(join(dir, 'file.bin'), 'damaged');
    const path = await downloadFile({ url: `${base}/file.bin`, cacheDir: dir, checksum, ...quiet });
    expect((await readFile(path)).equals(content)).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it('names the failed checksum of a cached copy when no fresh copy can be downloaded', async () => {
    const dir = tempDir();
    const cached = join(dir, 'file.bin');
    await writeFile(cached, 'damaged');
    const damagedMd5 = createHash('md5').update('damaged').digest('hex');
    // Port 1 on loopback: the connection is refused at once, as with no network.
    const url = 'http://127.0.0.1:1/file.bin';
    const error = await downloadFile({ url, cacheDir: dir, checksum, retries: 0, ...quiet }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EncdecError);
    expect((error as EncdecError).argument).toBe('checksum');
    expect((error as Error).message).toMatch(
      new RegExp(
        `^The cached copy ${cached} failed its checksum \\(md5 ${damagedMd5}, expected ${md5}: damaged or outdated\\) and was deleted, and no fresh copy could be downloaded\\. Download of ${url} failed after 1 attempt: .*ECONNREFUSED`,
      ),
    );
  });

  it('resumes with a Range request after the connection drops mid-way', async () => {
    const dir = tempDir();
    behaviours = [
      (_req, res) => {
        res.writeHead(200, { 'content-length': content.length });
        res.write(content.subarray(0, half), () => setTimeout(() => res.socket?.destroy(), 20));
      },
    ];
    const path = await downloadFile({ url: `${base}/file.bin`, cacheDir: dir, checksum, ...quiet });
    expect((await readFile(path)).equals(content)).toBe(true);
    expect(requests.map((r) => r.range)).toEqual([undefined, `bytes=${half}-`]);
    expect(await readdir(dir)).toEqual(['file.bin']);
  });

  it('restarts from scratch when the server ignores the range', async () => {
    const dir = tempDir();
    behaviours = [
      (_req, res) => {
        res.writeHead(200, { 'content-length': content.length });
        res.write(content.subarray(0, half), () => setTimeout(() => res.socket?.destroy(), 20));
      },
      (_req, res) => {
        res.writeHead(200, { 'content-length': content.length });
        res.end(content);
      },
    ];
    const path = await downloadFile({ url: `${base}/file.bin`, cacheDir: dir, checksum, ...quiet });
    expect((await readFile(path)).equals(content)).toBe(true);
    expect(requests).toHaveLength(2);
  });

  it('retries a server error, then succeeds', async () => {
    const dir = tempDir();
    const unavailable: Behaviour = (_req, res) => {
      res.writeHead(503);
      res.end();
    };
    behaviours = [unavailable, unavailable];
    const path = await downloadFile({ url: `${base}/file.bin`, cacheDir: dir, checksum, ...quiet });
    expect((await readFile(path)).equals(content)).toBe(true);
    expect(requests).toHaveLength(3);
  });

  it('gives up after `retries` and leaves no partial file', async () => {
    const dir = tempDir();
    const drop: Behaviour = (_req, res) => {
      res.writeHead(200, { 'content-length': content.length });
      res.write(content.subarray(0, half), () => setTimeout(() => res.socket?.destroy(), 20));
    };
    const dropRange: Behaviour = (_req, res) => {
      res.writeHead(503);
      res.end();
    };
    behaviours = [drop, dropRange];
    const error = await downloadFile({
      url: `${base}/file.bin`,
      cacheDir: dir,
      checksum,
      retries: 1,
      ...quiet,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EncdecError);
    expect((error as Error).message).toBe(
      `Download of ${base}/file.bin failed after 2 attempts: HTTP 503 Service Unavailable. Check the network, or download the file by hand into a directory and pass \`path\` (or set ENCDEC_DATA_DIR).`,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('does not retry a 404', async () => {
    const dir = tempDir();
    behaviours = [
      (_req, res) => {
        res.writeHead(404);
        res.end();
      },
    ];
    await expect(
      downloadFile({ url: `${base}/missing.bin`, cacheDir: dir, ...quiet }),
    ).rejects.toThrow(
      `Download of ${base}/missing.bin failed after 1 attempt: HTTP 404 Not Found.`,
    );
    expect(requests).toHaveLength(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects a checksum mismatch and deletes the download', async () => {
    const dir = tempDir();
    const wrong = 'ffffffffffffffffffffffffffffffff';
    await expect(
      downloadFile({
        url: `${base}/file.bin`,
        cacheDir: dir,
        checksum: { algorithm: 'md5', hex: wrong },
        ...quiet,
      }),
    ).rejects.toThrow(
      `Checksum mismatch for ${join(dir, 'file.bin')} from ${base}/file.bin: md5 is ${md5}, expected ${wrong}. The file was deleted; load again to download it afresh, or check that the url serves the expected file.`,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('verifies sha256 too, and follows redirects', async () => {
    const dir = tempDir();
    behaviours = [
      (_req, res) => {
        res.writeHead(302, { location: '/real/file.bin' });
        res.end();
      },
    ];
    const sha256 = createHash('sha256').update(content).digest('hex');
    const path = await downloadFile({
      url: `${base}/file.bin`,
      cacheDir: dir,
      checksum: { algorithm: 'sha256', hex: sha256 },
      ...quiet,
    });
    expect((await readFile(path)).equals(content)).toBe(true);
    expect(requests.map((r) => r.url)).toEqual(['/file.bin', '/real/file.bin']);
  });

  it('rejects a url that is not http(s), naming it', async () => {
    await expect(downloadFile({ url: 'ftp://example.org/x.bin' })).rejects.toThrow(
      'url must be an http:// or https:// URL, got "ftp://example.org/x.bin".',
    );
  });
});
