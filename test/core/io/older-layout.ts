import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { currentSave } from '@encdec/core';
import { SAVE_MANIFEST_FILE } from '@encdec/core/internal';

/**
 * Rewrites the save in `dir` in the layout of directories saved before manifests existed: its
 * files directly in `dir`, unchecked by any manifest. Tests use it to reach the checks a loader
 * makes on the files themselves (sizes, shapes, dtypes), which a manifest's SHA-256 would
 * otherwise report first.
 */
export async function toOlderLayout(dir: string): Promise<void> {
  const folder = await currentSave(dir);
  for (const name of readdirSync(folder)) renameSync(join(folder, name), join(dir, name));
  rmSync(folder, { recursive: true });
  rmSync(join(dir, SAVE_MANIFEST_FILE));
}
