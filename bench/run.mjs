#!/usr/bin/env node
// Runs every benchmark in bench/ (or those whose name contains an argument), each in its own Node
// process so that backends and warm-up do not leak between them, and writes what they printed to
// bench/results/latest.md (atomically) with the command, date and machine that produced it.
//
//   npm run bench             # all benchmarks
//   npm run bench -- imdb     # only bench/*imdb*.bench.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();
if (files.length === 0) {
  console.error(`No benchmark matches ${JSON.stringify(filters)} in ${here}.`);
  process.exit(1);
}

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const sections = [
  '# Benchmark results',
  '',
  `Command: \`npm run bench${filters.length ? ` -- ${filters.join(' ')}` : ''}\`  `,
  `Date: ${new Date().toISOString()}  `,
  `Machine: ${machine}`,
  '',
];
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(here, file)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  process.stdout.write(run.stdout ?? '');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.status !== 0) failed += 1;
  sections.push(`## ${file} (${seconds} s${run.status === 0 ? '' : `, exit ${run.status}`})`, '');
  sections.push('```', (run.stdout ?? '').trimEnd(), '```', '');
}

const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
const target = join(resultsDir, 'latest.md');
const temp = `${target}.${process.pid}.tmp`;
writeFileSync(temp, `${sections.join('\n')}\n`);
renameSync(temp, target);
console.log(`\nWrote ${target}`);
process.exit(failed === 0 ? 0 : 1);
