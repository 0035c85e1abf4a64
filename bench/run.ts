/**
 * `npm run bench [-- --size MB] [--only NAME]`: generates corpora under .bench/ (reused when present),
 * runs the built dsr on them and, where installed, the reference tools, and prints MB/s, files/s,
 * peak RSS and the ratios. Each area adds its part in bench/<area>.ts and one line below.
 */
import { mkdirSync } from 'node:fs';
import { BENCH_DIR, type BenchContext, type BenchPart, which } from './api.js';
import byteScan from './byte-scan.js';
import cluster from './cluster.js';
import documents from './documents.js';
import exportPart from './export.js';
import mail from './mail.js';
import media from './media.js';
import mixed from './mixed.js';
import ocr from './ocr.js';
import text from './text.js';

const parts: BenchPart[] = [];
parts.push(text);
parts.push(documents);
parts.push(media);
parts.push(mail);
parts.push(mixed);
parts.push(exportPart);
parts.push(ocr);
parts.push(cluster);
parts.push(byteScan);

const USAGE = `usage: npm run bench -- [--size MB] [--only NAME]
  --size MB    approximate corpus size per part (default 300)
  --only NAME  run one part: ${parts.map((p) => p.name).join(', ')}`;

function parseArgs(argv: string[]): { sizeMb: number; only?: string } {
  let sizeMb = 300;
  let only: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--size') sizeMb = Number(argv[++i]);
    else if (a === '--only') only = argv[++i];
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (!Number.isFinite(sizeMb) || sizeMb <= 0) throw new Error(`--size needs a number of MB\n${USAGE}`);
  if (only && !parts.some((p) => p.name === only)) throw new Error(`no bench part "${only}"\n${USAGE}`);
  return { sizeMb, only };
}

async function main(): Promise<void> {
  const { sizeMb, only } = parseArgs(process.argv.slice(2));
  mkdirSync(BENCH_DIR, { recursive: true });
  const ctx: BenchContext = {
    sizeMb,
    benchDir: BENCH_DIR,
    rg: which('rg'),
    log: (line) => process.stdout.write(`${line}\n`),
  };
  if (!ctx.rg) ctx.log('ripgrep (rg) not found: dsr figures only, no ratio');
  for (const part of parts) {
    if (only && part.name !== only) continue;
    ctx.log(`\n== ${part.name}: ${part.description}`);
    await part.run(ctx);
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${err?.message ?? err}\n`);
  process.exitCode = 1;
});
