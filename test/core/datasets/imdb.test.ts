import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DatasetProgress,
  EncdecError,
  getImdbWordIndex,
  type ImdbData,
  type LoadImdbOptions,
  loadImdb,
  loadImdbText,
} from '@encdec/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIXTURES, readFixture, type TinyExpected, tempDir } from './fixtures.js';

// Expected results: Keras' load_data transcribed in Python, run with numpy (make-fixtures.py).
const expected = readFixture<TinyExpected>('tiny/expected.json');
const tiny = join(FIXTURES, 'tiny');
const cacheDir = tempDir();
// The fixtures' word index and npz are made up, not Keras' files: their checksums differ.
const own = { verifyChecksums: false } as const;

function plain(data: ImdbData) {
  const split = (s: ImdbData['train']) => ({
    x: s.x.map((seq) => Array.from(seq)),
    y: Array.from(s.y),
  });
  return { train: split(data.train), test: split(data.test) };
}

const savedDataDir = process.env.ENCDEC_DATA_DIR;
afterEach(() => {
  if (savedDataDir === undefined) delete process.env.ENCDEC_DATA_DIR;
  else process.env.ENCDEC_DATA_DIR = savedDataDir;
});

describe('loadImdb on the tiny fixture matches Keras load_data', () => {
  const cases = expected.cases.map((c) => [JSON.stringify(c.options), c] as const);

  it.each(cases)('source aclImdb (tarball), options %s', async (_name, c) => {
    const data = await loadImdb({
      ...(c.options as LoadImdbOptions),
      path: tiny,
      cacheDir,
      ...own,
    });
    expect(plain(data)).toEqual(c.result);
    expect(data.train.x[0]).toBeInstanceOf(Int32Array);
    expect(data.train.y).toBeInstanceOf(Int32Array);
  });

  it.each(cases.filter(([, c]) => c.options.unknownWords === undefined))(
    'source npz (made with numpy), options %s',
    async (_name, c) => {
      const data = await loadImdb({
        ...(c.options as LoadImdbOptions),
        source: 'npz',
        path: tiny,
        ...own,
      });
      expect(plain(data)).toEqual(c.result);
    },
  );

  it('reads an extracted aclImdb/ directory like the tarball', async () => {
    const dir = tempDir();
    execFileSync('tar', ['-xzf', join(tiny, 'aclImdb_v1.tar.gz'), '-C', dir]);
    await cp(join(tiny, 'imdb_word_index.json'), join(dir, 'imdb_word_index.json'));
    const data = await loadImdb({ path: dir, cacheDir, ...own });
    expect(plain(data)).toEqual(expected.cases[0]!.result);
  });

  it('finds the files through ENCDEC_DATA_DIR', async () => {
    process.env.ENCDEC_DATA_DIR = tiny;
    expect(plain(await loadImdb({ cacheDir, ...own }))).toEqual(expected.cases[0]!.result);
  });
});

describe('the indexed corpus cache', () => {
  it('is written once, then read instead of the tarball, and rebuilt when damaged', async () => {
    const dir = tempDir();
    const stages: string[] = [];
    const onProgress = (p: DatasetProgress) => stages.push(p.stage);
    const first = plain(await loadImdb({ path: tiny, cacheDir: dir, onProgress, ...own }));
    expect(stages).toContain('read');
    const files = await readdir(join(dir, 'imdb'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^ranks-v2-[0-9a-f]{12}-[0-9a-f]{12}\.bin$/);

    stages.length = 0;
    expect(plain(await loadImdb({ path: tiny, cacheDir: dir, onProgress, ...own }))).toEqual(first);
    expect(stages).toEqual([]); // no 'read': the tarball was not opened

    const cacheFile = join(dir, 'imdb', files[0]!);
    const bytes = await readFile(cacheFile);
    await writeFile(cacheFile, bytes.subarray(0, bytes.length - 8)); // truncated cache
    expect(plain(await loadImdb({ path: tiny, cacheDir: dir, onProgress, ...own }))).toEqual(first);
    expect(stages).toContain('read');
    expect((await readFile(cacheFile)).length).toBe(bytes.length);
  });

  it('carries an md5 of its content: a flipped byte is rebuilt (saying so once), never read', async () => {
    const dir = tempDir();
    const first = plain(await loadImdb({ path: tiny, cacheDir: dir, ...own }));
    const [name] = await readdir(join(dir, 'imdb'));
    const cacheFile = join(dir, 'imdb', name!);
    const good = await readFile(cacheFile);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      // Data start: magic (8) + header length (4) + header, padded to 4 bytes.
      const dataStart = (12 + good.readUInt32LE(8) + 3) & ~3;
      // A word of the last test review, then train offsets[1] (the end of the first review).
      for (const at of [good.length - 4, dataStart + 4]) {
        const flipped = Buffer.from(good);
        flipped[at]! ^= 0x01;
        await writeFile(cacheFile, flipped);
        warn.mockClear();
        expect(plain(await loadImdb({ path: tiny, cacheDir: dir, ...own }))).toEqual(first);
        expect(warn.mock.calls).toEqual([
          [
            `encdec: the indexed IMDB corpus cache ${cacheFile} is damaged (truncated, or its content fails its md5); rebuilding it from the dataset files.`,
          ],
        ]);
        expect((await readFile(cacheFile)).equals(good)).toBe(true);
      }
    } finally {
      warn.mockRestore();
    }
  });

  it('is not written with cache: false', async () => {
    const dir = tempDir();
    await loadImdb({ path: tiny, cacheDir: dir, cache: false, ...own });
    await expect(readdir(join(dir, 'imdb'))).rejects.toThrow();
  });
});

describe('loadImdbText', () => {
  it('gives the reviews of a split in order, with label, rating and id', async () => {
    const train = await loadImdbText({ path: tiny });
    const names = train.map((r) => `train/${r.label ? 'pos' : 'neg'}/${r.id}_${r.rating}.txt`);
    expect(names).toEqual(expected.order.train); // unsup skipped, "10_7" before "2_10"
    expect(train.map((r) => r.text)).toEqual(expected.order.train.map((n) => expected.texts[n]));
    const test = await loadImdbText({ path: tiny, split: 'test' });
    expect(test.map((r) => [r.label, r.rating, r.id])).toEqual([
      [1, 8, 0],
      [0, 2, 0],
      [0, 3, 1],
    ]);
  });
});

describe('getImdbWordIndex', () => {
  it('reads the word index as a Map of ranks', async () => {
    const index = await getImdbWordIndex({ path: tiny, ...own });
    const json = JSON.parse(await readFile(join(tiny, 'imdb_word_index.json'), 'utf8'));
    expect(index).toBeInstanceOf(Map);
    expect(Object.fromEntries(index)).toEqual(json);
    expect(index.get('great')).toBe(1);
  });
});

describe('missing or damaged files say which file and what to do', () => {
  it('a missing directory', async () => {
    const dir = join(FIXTURES, 'no-such-dir');
    const error = await loadImdb({ path: dir, cacheDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EncdecError);
    expect((error as Error).message).toBe(
      `Dataset file not found: ${join(dir, 'aclImdb_v1.tar.gz')} (or an extracted ${join(dir, 'aclImdb')}/). Put the Stanford release (https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz) in ${dir}, or pass another \`path\` (or unset ENCDEC_DATA_DIR to download it).`,
    );
  });

  it('a missing word index', async () => {
    const dir = join(FIXTURES, 'broken-npz');
    await expect(getImdbWordIndex({ path: dir })).rejects.toThrow(
      `Dataset file not found: ${join(dir, 'imdb_word_index.json')}. Put imdb_word_index.json (from https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json) in ${dir}`,
    );
  });

  const wordIndexUrl =
    'https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json';
  const localRemedy = (url: string, md5: string) =>
    `It is a local file (\`path\` or ENCDEC_DATA_DIR), so nothing downloads a fresh copy: replace it with a good copy of ${url} (md5 ${md5}).`;

  it('a truncated local tarball: the local file is corrupt, and the expected checksum', async () => {
    const dir = join(FIXTURES, 'broken-tarball');
    const message = `Dataset file ${join(dir, 'aclImdb_v1.tar.gz')} is corrupt or truncated (not a readable .tar.gz: zlib: unexpected end of file). ${localRemedy('https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz', '7c2ac02c03563afcf9b574c7e56c153a')}`;
    await expect(loadImdb({ path: dir, cacheDir, ...own })).rejects.toThrow(message);
    process.env.ENCDEC_DATA_DIR = dir;
    await expect(loadImdbText({})).rejects.toThrow(message);
  });

  it('a tarball without reviews', async () => {
    const file = join(FIXTURES, 'not-imdb', 'aclImdb_v1.tar.gz');
    await expect(loadImdbText({ path: join(FIXTURES, 'not-imdb') })).rejects.toThrow(
      `Dataset file ${file} is corrupt or truncated (no aclImdb/train/{pos,neg}/<id>_<rating>.txt review in it). Use the Stanford release`,
    );
  });

  it("a local word index that is not Keras' file: its checksum, expected and actual", async () => {
    for (const dir of [tiny, join(FIXTURES, 'broken-json')]) {
      const file = join(dir, 'imdb_word_index.json');
      const actual = createHash('md5')
        .update(await readFile(file))
        .digest('hex');
      const message = `Checksum mismatch for the local file ${file}: md5 is ${actual}, expected bfafd718b763782e994055a2d397834f, the checksum of ${wordIndexUrl}. It is not the published file (edited, damaged or another version) and would give wrong word ids. Replace it with a copy of ${wordIndexUrl}, or pass verifyChecksums: false to use a file of your own.`;
      await expect(getImdbWordIndex({ path: dir })).rejects.toThrow(message);
      await expect(loadImdb({ path: dir, cacheDir })).rejects.toThrow(message);
      process.env.ENCDEC_DATA_DIR = dir;
      const error = await loadImdb({ cacheDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EncdecError);
      expect((error as Error).message).toBe(message);
    }
  });

  it('garbage JSON in a word index of your own', async () => {
    const file = join(FIXTURES, 'broken-json', 'imdb_word_index.json');
    await expect(
      loadImdb({ path: join(FIXTURES, 'broken-json'), cacheDir, ...own }),
    ).rejects.toThrow(
      new RegExp(
        `^Dataset file ${file} is corrupt or truncated \\(not valid JSON: .*\\)\\. It is a local file .* \\(md5 bfafd718b763782e994055a2d397834f\\)\\.$`,
      ),
    );
  });

  it('a truncated npz', async () => {
    const file = join(FIXTURES, 'broken-npz', 'imdb.npz');
    await expect(
      loadImdb({ path: join(FIXTURES, 'broken-npz'), source: 'npz', ...own }),
    ).rejects.toThrow(`Dataset file ${file} is corrupt or truncated (`);
    await expect(loadImdb({ path: join(FIXTURES, 'broken-npz'), source: 'npz' })).rejects.toThrow(
      `Checksum mismatch for the local file ${file}: md5 is`,
    );
  });
});

describe('bad options are errors naming the option and value', () => {
  it.each([
    [{ numWords: 0 }, 'numWords must be an integer >= 1, got 0.'],
    [{ skipTop: -1 }, 'skipTop must be an integer >= 0, got -1.'],
    [{ maxlen: 2.5 }, 'maxlen must be an integer >= 1, got 2.5.'],
    [{ indexFrom: -3 }, 'indexFrom must be an integer >= 0, got -3.'],
    [{ seed: -1 }, 'seed must be an integer between 0 and 2**32 - 1 (numpy RandomState), got -1.'],
    [{ source: 'csv' }, 'source must be one of aclImdb, npz, got "csv".'],
    [{ unknownWords: 'keep' }, `unknownWords must be 'skip' or 'oov', got "keep".`],
    [
      { maxlen: 2 },
      'maxlen must keep at least one review, got 2: no train review has fewer than 2 ids (start char included, as in Keras). Increase maxlen.',
    ],
  ])('%j', async (options, message) => {
    await expect(
      loadImdb({ ...(options as LoadImdbOptions), path: tiny, cacheDir, ...own }),
    ).rejects.toThrow(message);
  });

  it("loadImdbText's split", async () => {
    await expect(loadImdbText({ path: tiny, split: 'dev' as 'test' })).rejects.toThrow(
      `split must be 'train' or 'test', got "dev".`,
    );
  });
});
