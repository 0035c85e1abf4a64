// Compiles assembly/index.ts (AssemblyScript) into wasm.ts, the module's bytes as base64, which is
// committed so that neither a build nor a run needs the compiler. `npm run wasm` after editing the
// AssemblyScript; test/byte-scan/byte-scan.test.ts checks that the committed bytes are what it compiles to.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));

/** The options the module is built with: fast code, SIMD, no runtime, no imports, a memory to grow. */
export const ASC_OPTIONS = {
  optimizeLevel: 3,
  shrinkLevel: 0,
  converge: true,
  noAssert: true,
  runtime: 'stub',
  enable: ['simd'],
  initialMemory: 4,
  use: ['abort='],
};

/** The generated wasm.ts. */
export async function buildByteScan() {
  const source = readFileSync(here('assembly/index.ts'), 'utf8');
  const { binary, error, stderr } = await asc.compileString({ 'index.ts': source }, ASC_OPTIONS);
  if (error || !binary) throw new Error(`byte-scan: AssemblyScript failed: ${error?.message}\n${stderr}`);
  const base64 = Buffer.from(binary).toString('base64');
  const lines = base64.match(/.{1,100}/g).map((l) => `  '${l}'`);
  return [
    '// Generated from assembly/index.ts by `npm run wasm` (src/byte-scan/build.mjs): do not edit.',
    'export const BYTE_SCAN_WASM = [',
    `${lines.join(',\n')},`,
    "].join('');",
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(here('wasm.ts'), await buildByteScan());
}
