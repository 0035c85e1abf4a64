// Assembles byte-scan.wat into byte-scan.wasm.ts (the module's bytes as base64), which is committed so
// that neither a build nor a test needs the assembler. `npm run wasm` after editing the .wat; a test
// checks that the committed bytes are what the .wat assembles to.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));

export async function assembleByteScan() {
  const w = await wabt();
  const parsed = w.parseWat('byte-scan.wat', readFileSync(here('byte-scan.wat'), 'utf8'), { simd: true });
  parsed.validate();
  const { buffer } = parsed.toBinary({ write_debug_names: false });
  parsed.destroy();
  const base64 = Buffer.from(buffer).toString('base64');
  const lines = base64.match(/.{1,100}/g).map((l) => `  '${l}'`);
  return [
    '// Generated from byte-scan.wat by `npm run wasm` (src/engine/byte-scan-build.mjs): do not edit.',
    'export const BYTE_SCAN_WASM = [',
    `${lines.join(',\n')},`,
    "].join('');",
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(here('byte-scan.wasm.ts'), await assembleByteScan());
}
