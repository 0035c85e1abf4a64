import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { ExtractError } from '../../core/errors.js';

/** A rectangle in pixels of the page image, from its top-left corner. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface OcrWord {
  text: string;
  box: Box;
}

/** The words of one recognised page, line by line, as tesseract reads them. */
export interface OcrPage {
  /** 1-based page of the image (a multi-page TIFF) or of the list of images given. */
  page: number;
  lines: OcrWord[][];
}

/**
 * Danish and English together: Danish alone reads `@` as `&`, English alone loses æ, ø and å
 * (docs/decisions/ocr-engine.md).
 */
export const OCR_LANGUAGES = 'dan+eng';
/** What to install when tesseract or its language data is missing (Debian package names). */
export const OCR_INSTALL_HINT = 'install tesseract-ocr, tesseract-ocr-dan and tesseract-ocr-eng';

const SETPRIV = '/usr/bin/setpriv';

/**
 * The tesseract binary: `DSR_TESSERACT` when set (a path, or empty to run without OCR), else the first
 * `tesseract` on PATH. Undefined when there is none.
 */
export function tesseractPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.DSR_TESSERACT;
  if (chosen !== undefined) return chosen && isAbsolute(chosen) && existsSync(chosen) ? chosen : undefined;
  return (env.PATH ?? '/usr/bin:/bin')
    .split(delimiter)
    .map((dir) => join(dir, 'tesseract'))
    .find((p) => existsSync(p));
}

/** Why OCR cannot run here (no engine, or no Danish or English data), or undefined when it can. */
let availability: Promise<string | undefined> | undefined;

export function ocrUnavailable(): Promise<string | undefined> {
  availability ??= checkEngine();
  return availability;
}

async function checkEngine(): Promise<string | undefined> {
  const bin = tesseractPath();
  if (!bin) return `tesseract not found (${OCR_INSTALL_HINT})`;
  try {
    const stdout = await run(bin, ['--list-langs'], undefined, 10_000);
    const langs = new Set(
      stdout
        .toString('utf8')
        .split('\n')
        .map((l) => l.trim()),
    );
    const missing = OCR_LANGUAGES.split('+').filter((l) => !langs.has(l));
    if (missing.length) return `tesseract has no ${missing.join(', ')} language data (${OCR_INSTALL_HINT})`;
    return undefined;
  } catch (err) {
    return `tesseract does not run: ${(err as Error).message} (${OCR_INSTALL_HINT})`;
  }
}

/**
 * Recognises the text of an image (`input` a file path, or the image's bytes piped to tesseract): one
 * OcrPage per page, words with their boxes. The process is killed when `signal` aborts or at
 * `deadline` (epoch ms), which is then a `timeout` ExtractError.
 */
export async function recognise(
  input: string | Uint8Array,
  opts: { signal?: AbortSignal; deadline: number },
): Promise<OcrPage[]> {
  const bin = tesseractPath();
  if (!bin) throw new ExtractError('unsupported', `tesseract not found (${OCR_INSTALL_HINT})`);
  const source = typeof input === 'string' ? input : 'stdin';
  const args = [source, 'stdout', '-l', OCR_LANGUAGES, 'tsv'];
  const stdout = await run(
    bin,
    args,
    typeof input === 'string' ? undefined : input,
    opts.deadline - Date.now(),
    opts.signal,
  );
  return parseTsv(stdout.toString('utf8'));
}

/**
 * Runs a program with a parent-death guard: on Linux through `setpriv --pdeathsig KILL`, so the kernel
 * ends it with the thread that started it (a worker stopped at the item's time limit leaves no process
 * behind); otherwise it is killed on abort and at the time limit only. One OCR thread per process:
 * dsr's workers already use every core.
 */
export function run(
  bin: string,
  args: string[],
  stdin: Uint8Array | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  const name = bin.slice(bin.lastIndexOf('/') + 1);
  return new Promise((resolve, reject) => {
    if (timeoutMs <= 0) {
      reject(new ExtractError('timeout', 'no time left for OCR within the item time limit'));
      return;
    }
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C',
      OMP_THREAD_LIMIT: '1',
      DSR_PARENT_PID: String(process.pid),
    };
    const guarded = process.platform === 'linux' && existsSync(SETPRIV);
    const child = guarded
      ? spawn(SETPRIV, ['--pdeathsig', 'KILL', bin, ...args], { stdio: 'pipe', env })
      : spawn(bin, args, { stdio: 'pipe', env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let why: ExtractError | undefined;
    const stop = (e: ExtractError) => {
      why ??= e;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () =>
        stop(new ExtractError('timeout', `${name} did not finish within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    const onAbort = () => stop(new ExtractError('timeout', 'OCR stopped: the scan was stopped'));
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 64) err.push(b);
    });
    child.stdin.on('error', () => {});
    child.on('error', (e) => stop(new ExtractError('unsupported', `${name} did not start: ${e.message}`)));
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (why) reject(why);
      else if (code !== 0) {
        const message = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-2).join('; ');
        reject(
          new ExtractError(
            'corrupt',
            `${name} could not read the image: ${message.slice(0, 300) || `exit ${code}`}`,
          ),
        );
      } else resolve(Buffer.concat(out));
    });
    if (stdin) child.stdin.end(stdin);
    else child.stdin.end();
  });
}

/**
 * tesseract's TSV: one row per page, block, paragraph, line and word (`level` 1 to 5), each with the
 * page number and box; words (level 5) carry the text. Lines are keyed by block, paragraph and line.
 */
export function parseTsv(tsv: string): OcrPage[] {
  const pages = new Map<number, Map<string, OcrWord[]>>();
  for (const row of tsv.split('\n')) {
    const c = row.split('\t');
    if (c.length < 12 || c[0] !== '5') continue;
    const text = c.slice(11).join('\t').trim();
    if (!text) continue;
    const page = Number(c[1]);
    const lines = pages.get(page) ?? new Map<string, OcrWord[]>();
    pages.set(page, lines);
    const key = `${c[2]}.${c[3]}.${c[4]}`;
    const line = lines.get(key) ?? [];
    lines.set(key, line);
    line.push({ text, box: { x: Number(c[6]), y: Number(c[7]), w: Number(c[8]), h: Number(c[9]) } });
  }
  return [...pages].map(([page, lines]) => ({ page, lines: [...lines.values()] }));
}
