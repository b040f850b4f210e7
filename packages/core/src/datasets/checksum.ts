/** Checksums of files on disk, streamed (a 100 MB file never sits in memory whole). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The hash algorithms datasets publish their files with. */
export type ChecksumAlgorithm = 'md5' | 'sha256';

/** An expected checksum: the algorithm and its lowercase hex digest. */
export interface Checksum {
  algorithm: ChecksumAlgorithm;
  hex: string;
}

/** The hex digest of the whole file at `file`. */
export async function fileChecksum(file: string, algorithm: ChecksumAlgorithm): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
