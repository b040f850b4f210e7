/**
 * Every file a comment names exists: comments that cite a test, a script or a source file stay
 * true when files move. A path counts as named when it has a folder and ends in a file extension; it
 * resolves when a tracked file (or folder) is that path or ends with it, so paths relative to a
 * package or to the commenting file pass. Paths in other projects name the project first (see
 * EXTERNAL) and are not checked here.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Other projects (and node_modules) whose files comments may cite: the first folder names it. */
const EXTERNAL = new Set([
  'node_modules',
  'keras',
  'tslab',
  'tfjs-layers',
  'tfjs-core',
  'tfjs-backend-wasm',
  'nbconvert',
]);

const SOURCE = /\.(ts|mjs|js|py)$|(^|\/)run$/;
/** A path with at least one folder, ending in a file extension the repository uses. */
const NAMED =
  /(?<![\w/.:-])((?:[\w@.-]+\/)+[\w.-]+\.(?:ts|mjs|js|py|json|md|ipynb|wasm|npz|sh))(?![\w/-])/g;

const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const folders = new Set(
  tracked.flatMap((f) =>
    f
      .split('/')
      .slice(0, -1)
      .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
  ),
);

function exists(path: string): boolean {
  const p = path.replace(/^\.\//, '');
  return (
    tracked.some((f) => f === p || f.endsWith(`/${p}`)) ||
    [...folders].some((d) => d === p || d.endsWith(`/${p}`))
  );
}

/** The comment text of a file, one entry per line that holds a comment. */
function comments(file: string): { line: number; text: string }[] {
  const hash = file.endsWith('.py') || file.endsWith('/run') || file.endsWith('.sh');
  const lines = readFileSync(`${root}/${file}`, 'utf8').split('\n');
  const out: { line: number; text: string }[] = [];
  lines.forEach((text, i) => {
    const m = hash
      ? /(?:^|\s)#(.*)$/.exec(text)
      : (/(?:^|\s)\/\/(.*)$/.exec(text) ?? /^\s*(?:\/\*\*?|\*)(.*)$/.exec(text));
    if (m?.[1]) out.push({ line: i + 1, text: m[1] });
  });
  return out;
}

describe('paths named in comments', () => {
  const sources = tracked.filter((f) => SOURCE.test(f));

  it('there are sources to check', () => {
    expect(sources.length).toBeGreaterThan(100);
  });

  it('every repository path a comment names exists', () => {
    const missing: string[] = [];
    for (const file of sources) {
      for (const { line, text } of comments(file)) {
        for (const [, path] of text.matchAll(NAMED)) {
          if (path === undefined || /^https?:/.test(text.slice(text.indexOf(path) - 8))) continue;
          if (EXTERNAL.has(path.split('/')[0] ?? '')) continue;
          if (!exists(path)) missing.push(`${file}:${line}: ${path}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
