// The IMDB walkthrough's (notebook 05) default settings are the ones its results were measured
// with: the settings cell's full-run values (QUICK off) must equal walkthrough-measured.json's
// `config`, which records the numbers measured with them. Changing a setting means measuring
// again and updating the JSON. The rendered copy (docs/notebooks/, a full run of the current
// cells, see docs.test.ts) must print numbers that meet the floors the JSON names.
// Reads the committed files; executes nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const NAME = '05-imdb-walkthrough.ipynb';
const measured = JSON.parse(
  readFileSync(join(root, 'test', 'notebooks', 'walkthrough-measured.json'), 'utf8'),
) as {
  config: Record<string, unknown>;
  floors: { greedyTokenAccuracy: number; exactMatch: number };
};

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: { text?: string | string[] }[];
}
const text = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join('') : (s ?? ''));
const cellsOf = (path: string): Cell[] => JSON.parse(readFileSync(path, 'utf8')).cells;

/** A literal of the settings cell: a number (with `_` separators) or an array of numbers. */
function literal(expr: string, known: Record<string, unknown>): unknown {
  const plain = expr.replace(/\s+as const$/, '').trim();
  if (/^[A-Z][A-Z0-9_]*$/.test(plain) && plain in known) return known[plain];
  const json = plain.replace(/(\d)_(\d)/g, '$1$2');
  try {
    return JSON.parse(json);
  } catch {
    throw new Error(`${NAME}: cannot read the setting value ${expr}`);
  }
}

/** The settings of the cell that defines QUICK: `const NAME = QUICK ? quick : full;` or `= value;`. */
function fullRunSettings(cells: readonly Cell[]): Record<string, unknown> {
  const cell = cells.find((c) => c.cell_type === 'code' && /const QUICK = /.test(text(c.source)));
  if (cell === undefined) throw new Error(`${NAME}: no code cell defines QUICK`);
  const settings: Record<string, unknown> = {};
  for (const [, name, expr] of text(cell.source).matchAll(
    /^const ([A-Z][A-Z0-9_]*) = ([^;]+);/gm,
  )) {
    if (name === 'QUICK') continue;
    const full = /^QUICK \? [^:]+ : (.+)$/.exec(expr!)?.[1] ?? expr!;
    settings[name!] = literal(full, settings);
  }
  return settings;
}

describe('the walkthrough (notebook 05)', () => {
  const cells = cellsOf(join(root, 'notebooks', NAME));

  it('runs by default with the settings its results were measured with', () => {
    expect(fullRunSettings(cells)).toEqual(measured.config);
  });

  it('reads QUICK ? quick : full and plain settings, and refuses what it cannot read', () => {
    const cell = (source: string): Cell[] => [{ cell_type: 'code', source }];
    expect(
      fullRunSettings(
        cell(
          "const QUICK = process.env.X === '1';\nconst A = QUICK ? 1_500 : 25_000; // c\nconst B = A;\nconst C = [5, 39] as const;",
        ),
      ),
    ).toEqual({ A: 25_000, B: 25_000, C: [5, 39] });
    expect(() => fullRunSettings(cell("const QUICK = true;\nconst A = f('x');"))).toThrow(
      "cannot read the setting value f('x')",
    );
    expect(() => fullRunSettings(cell('const A = 1;'))).toThrow('no code cell defines QUICK');
  });

  it('has a rendered full run that meets the floors', () => {
    const printed = cellsOf(join(root, 'docs', 'notebooks', NAME))
      .flatMap((c) => c.outputs ?? [])
      .map((o) => text(o.text))
      .join('');
    const value = (label: string) => {
      const m = new RegExp(`${label.replace(/[()]/g, '\\$&')}: ([0-9.]+)`).exec(printed);
      if (m === null) throw new Error(`the rendered ${NAME} prints no "${label}"`);
      return Number(m[1]);
    };
    expect(value('greedy token accuracy (attention)')).toBeGreaterThanOrEqual(
      measured.floors.greedyTokenAccuracy,
    );
    expect(value('greedy exact match (attention)')).toBeGreaterThanOrEqual(
      measured.floors.exactMatch,
    );
  });
});
