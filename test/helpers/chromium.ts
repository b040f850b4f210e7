/**
 * Headless Chromium for the tests that look at a page: the system's browser (`CHROMIUM_PATH`,
 * default /usr/bin/chromium; see the README's prerequisites), driven by playwright-core.
 *
 * The profile is a folder we create and always remove, even when the launch fails: Playwright's
 * own temporary profile outlives a browser that never started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { chromiumPath } from '../../scripts/prerequisites.mjs';

export { chromiumPath };

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Runs `use` with a page of a fresh headless browser, then closes it and removes its profile. */
export async function withPage<T>(use: (page: Page) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'encdec-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      args: ARGS,
    });
    return await use(context.pages()[0] ?? (await context.newPage()));
  } finally {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * How many pixels of a PNG are coloured (the largest minus the smallest of R, G, B above
 * `threshold`): chart marks are coloured, while text, axes and background are grey. Decoded by
 * the page itself, so that no PNG decoder is needed here.
 */
export async function colouredPixels(page: Page, png: Buffer, threshold = 60): Promise<number> {
  return page.evaluate(
    async ({ base64, threshold }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
        if (Math.max(r, g, b) - Math.min(r, g, b) > threshold) count += 1;
      }
      return count;
    },
    { base64: png.toString('base64'), threshold },
  );
}
