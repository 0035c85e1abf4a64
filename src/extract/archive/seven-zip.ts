import { copyFileSync, lstatSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { ExtractError } from '../../core/errors.js';
import { fsPath } from '../../core/raw-path.js';
import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import { isTar, sevenZipFormat, startsWith } from '../formats.js';
import { spooledSource, withSpoolFile } from '../nested-temp-file.js';
import { extensionOf, readHead } from '../read.js';
import { openByteSource } from './byte-source.js';
import { memberLimitBreach, RATIO_GRACE_BYTES, tooManyMembers } from './member-limits.js';
import { baseName, chargeInflated, memberRef } from './members.js';
import { MEMBER_LIST, runSevenZip, type SevenZipRun, sevenZipEncrypted } from './seven-zip-run.js';
import { extractTar } from './tar.js';

const SEVEN_ZIP_MAGIC = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];

/**
 * 7z archives and the single-stream compressors xz and bzip2 (with .tar.xz, .tar.bz2, .txz, .tbz2),
 * read by 7-Zip compiled to WebAssembly (7z-wasm). Members are written to a private spool folder, never
 * held in memory, and each is read through the extractors again as zip and tar members are. The spool is
 * bounded while 7-Zip writes: past a member's ratio or the file's inflation budget the write fails and
 * 7-Zip stops, so a bomb never fills the disk.
 */
const sevenZip: Extractor = {
  ...sevenZipFormat,
  async extract(input, ctx) {
    const head = await readHead(input, 64);
    await withArchiveOnDisk(input, async (archive, spool) => {
      if (startsWith(head, SEVEN_ZIP_MAGIC) || (!isStream(head) && extensionOf(input.name).endsWith('.7z')))
        await extractSevenZip(input, ctx, archive, spool);
      else await extractStream(input, ctx, archive, spool);
    });
  },
};

function isStream(head: Uint8Array): boolean {
  return startsWith(head, XZ_MAGIC) || startsWith(head, BZIP2_MAGIC);
}
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const BZIP2_MAGIC = [0x42, 0x5a, 0x68];

/** The archive as a file 7-Zip can open (`archive`), and an empty private folder for its output (`spool`). */
async function withArchiveOnDisk(
  input: ItemInput,
  use: (archive: string, spool: string) => Promise<void>,
): Promise<void> {
  await withSpoolFile('7z', async (base) => {
    const spool = join(dirname(base), 'out');
    await mkdir(spool, { mode: 0o700 });
    if (input.source.kind === 'buffer') {
      const archive = join(dirname(base), 'archive');
      writeFileSync(archive, input.source.data, { mode: 0o600, flag: 'wx' });
      return use(archive, spool);
    }
    const path = fsPath(input.source.absPath);
    if (typeof path === 'string') return use(path, spool);
    // A name that is not valid UTF-8: 7-Zip's file system takes strings, so it reads a private copy.
    const archive = join(dirname(base), 'archive');
    copyFileSync(path, archive);
    return use(archive, spool);
  });
}

/** An xz or bzip2 stream: the one file inside, or the members of the tar it holds. */
async function extractStream(
  input: ItemInput,
  ctx: ExtractContext,
  archive: string,
  spool: string,
): Promise<void> {
  const { limits } = ctx;
  const compressed = statSync(archive).size;
  const ratioCap = Math.max(RATIO_GRACE_BYTES, compressed * limits.maxRatio);
  const cap = Math.min(ratioCap, limits.maxInflatedBytes);
  const run = await runSevenZip(archive, spool, ['x', '-y', '-p-'], cap);
  if (run.capped) {
    const why =
      cap === ratioCap
        ? `compression ratio over ${limits.maxRatio}:1 (--max-ratio), a likely decompression bomb`
        : 'more than --max-inflated-bytes';
    throw new ExtractError('limit', `inflates to more than ${cap} bytes: ${why}; not read`);
  }
  if (run.code !== 0) throw streamError(run);
  const [inner] = readdirSync(spool);
  if (!inner) throw new ExtractError('corrupt', 'compressed stream holds no data; not read');
  const path = join(spool, inner);
  const size = statSync(path).size;
  ctx.inflated(size);
  const spooled: ItemInput = { ...input, source: spooledSource(path, size) };
  if (isTar(await readHead(spooled))) {
    const src = await openByteSource(spooled);
    try {
      await extractTar(input, ctx, src);
    } finally {
      await src.close();
    }
    return;
  }
  await ctx.child({
    ref: memberRef(input.ref, innerName(input.name)),
    name: innerName(input.name),
    source: spooled.source,
  });
}

/** `letter.txt.xz` holds `letter.txt`; `backup.txz` holds `backup.tar`. */
function innerName(name: string): string {
  return baseName(name).replace(/\.(t?xz|t?bz2?|tbz2)$/i, (m) => (/^\.t/i.test(m) ? '.tar' : ''));
}

function streamError(run: SevenZipRun): ExtractError {
  return new ExtractError(
    'corrupt',
    `compressed data damaged or truncated (${run.problem || `7-Zip exit code ${run.code}`}); not read`,
  );
}

interface Member {
  path: string;
  size: number;
  packed?: number;
  block?: number;
  encrypted: boolean;
  folder: boolean;
  link: boolean;
}

/** Members as `7z l -slt` lists them. */
function parseListing(lines: string[]): Member[] {
  const members: Member[] = [];
  let current: Record<string, string> | undefined;
  const flush = () => {
    if (current?.Path !== undefined && current.Size !== undefined)
      members.push({
        path: current.Path,
        size: Number(current.Size) || 0,
        ...(current['Packed Size'] ? { packed: Number(current['Packed Size']) } : {}),
        ...(current.Block ? { block: Number(current.Block) } : {}),
        encrypted: current.Encrypted === '+',
        folder: current.Folder === '+' || /^D/.test(current.Attributes ?? ''),
        // Unix mode bits after the Windows attributes: `lrwxrwxrwx` is a symbolic link.
        link: /\sl[rwxsStT-]{9}$/.test(current.Attributes ?? ''),
      });
    current = undefined;
  };
  let inList = false;
  for (const line of lines) {
    if (line === '----------') {
      inList = true;
      flush();
      current = {};
      continue;
    }
    if (!inList) continue;
    if (line === '') {
      flush();
      continue;
    }
    const eq = line.indexOf(' = ');
    if (eq <= 0) continue;
    current ??= {};
    current[line.slice(0, eq)] = line.slice(eq + 3);
  }
  flush();
  return members;
}

/** A 7z archive: listed first, each member checked against the limits, then the allowed ones written out at once. */
async function extractSevenZip(
  input: ItemInput,
  ctx: ExtractContext,
  archive: string,
  spool: string,
): Promise<void> {
  const { limits } = ctx;
  const encrypted = sevenZipEncrypted(archive);
  if (encrypted === 'encrypted file names')
    throw new ExtractError('encrypted', '7z archive is password-protected (encrypted file names); not read');
  const listing = await runSevenZip(archive, spool, ['l', '-slt', '-p-'], 0);
  if (listing.code !== 0)
    throw new ExtractError(
      /password/i.test(listing.problem) ? 'encrypted' : 'corrupt',
      `7z archive could not be opened (${listing.problem || `7-Zip exit code ${listing.code}`}); not read`,
    );
  // Only regular files are members, as in a tar: a link's target is no content of the archive.
  const files = parseListing(listing.out).filter((m) => !m.folder && !m.link);
  // A solid block's packed size is listed on its first member only: a member's ratio is its block's.
  const blocks = new Map<number, { packed: number; size: number }>();
  for (const m of files) {
    if (m.block === undefined) continue;
    const b = blocks.get(m.block) ?? { packed: 0, size: 0 };
    b.packed += m.packed ?? 0;
    b.size += m.size;
    blocks.set(m.block, b);
  }
  const wanted: Member[] = [];
  let count = 0;
  for (const m of files) {
    const ref = memberRef(input.ref, m.path);
    if (++count > limits.maxMembers) {
      ctx.error('limit', tooManyMembers(limits, count));
      break;
    }
    if (m.encrypted) {
      ctx.error('encrypted', 'password-protected 7z member; not read', ref);
      continue;
    }
    const block = m.block === undefined ? undefined : blocks.get(m.block);
    const packed = block ? (block.packed * m.size) / Math.max(block.size, 1) : (m.packed ?? m.size);
    const breach = memberLimitBreach(limits, Math.ceil(packed), m.size);
    if (breach) {
      ctx.error('limit', breach, ref);
      continue;
    }
    if (!chargeInflated(ctx, ref, m.size)) break;
    wanted.push(m);
  }
  if (!wanted.length) return;
  writeFileSync(join(dirname(spool), MEMBER_LIST), `${wanted.map((m) => m.path).join('\n')}\n`, {
    mode: 0o600,
  });
  const total = wanted.reduce((n, m) => n + m.size, 0);
  // `-spd`: names are names, not wildcards; the written total never passes what the listing declared.
  const run = await runSevenZip(
    archive,
    spool,
    ['x', '-y', '-p-', '-spd', '-scsUTF-8', `-i@${MEMBER_LIST}`],
    total + 1,
  );
  for (const m of wanted) {
    ctx.signal.throwIfAborted();
    const ref = memberRef(input.ref, m.path);
    const path = resolve(spool, m.path);
    if (!path.startsWith(spool + sep)) {
      ctx.error('corrupt', 'member path leads outside the archive; not read', ref);
      continue;
    }
    let size = -1;
    try {
      const st = lstatSync(path);
      if (st.isFile()) size = st.size;
    } catch {
      // Not written: the archive's error below says why.
    }
    if (size !== m.size) {
      ctx.error('corrupt', `member not recovered (${run.problem || 'damaged or truncated archive'})`, ref);
      continue;
    }
    await ctx.child({ ref, name: baseName(m.path), source: spooledSource(path, size) });
  }
  if (run.capped)
    ctx.error('limit', 'members inflate past the sizes the archive declares; the rest not read');
  else if (run.code !== 0)
    ctx.error('corrupt', `7z archive damaged or truncated (${run.problem || `7-Zip exit code ${run.code}`})`);
}

export default sevenZip;
