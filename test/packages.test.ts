// The built packages, as users load them: `npm test` builds them first (`tsc -b`).
// - Node scripts import them as ESM.
// - tslab compiles notebook cells with its own TypeScript 5.0 (node10 resolution, CommonJS) and
//   then require()s them, which Node >= 20.19 allows for ESM without top-level await.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = ['core', 'viz'] as const;

function exportedNames(mode: 'import' | 'require', name: string): string[] {
  const load =
    mode === 'import'
      ? `import('${name}').then((m) => console.log(JSON.stringify(Object.keys(m).sort())))`
      : `console.log(JSON.stringify(Object.keys(require('${name}')).sort()))`;
  const out = execFileSync(process.execPath, ['-e', load], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

describe.each(packages)('@encdec/%s as built', (pkg) => {
  const dir = join(root, 'packages', pkg);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

  it('has top-level main/types besides exports (tslab resolves with node10)', () => {
    expect(manifest.main).toBe('./dist/index.js');
    expect(manifest.types).toBe('./dist/index.d.ts');
    expect(manifest.exports['.'].default).toBe(manifest.main);
    expect(existsSync(join(dir, manifest.main))).toBe(true);
    expect(existsSync(join(dir, manifest.types))).toBe(true);
    expect(manifest.engines.node).toBe('>=20.19');
  });

  it('loads through require() exactly as through import', () => {
    const viaImport = exportedNames('import', `@encdec/${pkg}`);
    expect(viaImport.length).toBeGreaterThan(0);
    expect(exportedNames('require', `@encdec/${pkg}`)).toEqual(viaImport);
  });

  it('type-checks in a cell compiled by tslab’s TypeScript 5.0 (node10, CommonJS)', () => {
    const ts = createRequire(import.meta.url)('@tslab/typescript-for-tslab');
    expect(ts.version).toMatch(/^5\.0\./);
    const cell = join(root, `__cell_${pkg}.ts`);
    const source = `import * as lib from "@encdec/${pkg}";\nexport const names: string[] = Object.keys(lib);\n`;
    const options = {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.NodeJs,
      target: ts.ScriptTarget.ES2019,
      esModuleInterop: true,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile;
    host.readFile = (file: string) => (file === cell ? source : readFile(file));
    host.fileExists = (
      (exists) => (file: string) =>
        file === cell || exists(file)
    )(host.fileExists);
    const program = ts.createProgram([cell], options, host);
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d: { messageText: unknown }) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });
});
