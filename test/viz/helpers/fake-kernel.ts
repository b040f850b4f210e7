/**
 * A stand-in for a running tslab kernel: tslab's public `display` sends through
 * `jupyter.lastWriteDisplayData`, which the kernel sets while a cell runs. Setting it here makes
 * tslab's own code (not a mock of it) produce the display messages, which we capture.
 */

import { createRequire } from 'node:module';

export interface DisplayMessage {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
  /** true for `update_display_data` (an in-place redraw), else a new `display_data`. */
  update: boolean | undefined;
}

const jupyter = createRequire(import.meta.url)('tslab/dist/jupyter.js') as {
  lastWriteDisplayData: ((data: object, update: boolean | undefined) => void) | null;
};

/** Starts capturing; `onMessage` runs on each message (e.g. to advance a fake clock). */
export function startFakeKernel(onMessage?: () => void): DisplayMessage[] {
  const messages: DisplayMessage[] = [];
  jupyter.lastWriteDisplayData = (data, update) => {
    messages.push({ ...(data as Omit<DisplayMessage, 'update'>), update });
    onMessage?.();
  };
  return messages;
}

/** Back to "no cell running": displays fall back to files again. */
export function stopFakeKernel(): void {
  jupyter.lastWriteDisplayData = null;
}
