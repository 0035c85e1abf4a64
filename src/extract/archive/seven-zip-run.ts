import { closeSync, openSync, readSync } from 'node:fs';
import { basename, dirname } from 'node:path';

/** The list of members to write, beside the spool folder (7-Zip's `-i@` takes it relative to /s). */
export const MEMBER_LIST = 'members.txt';

export interface SevenZipRun {
  code: number;
  /** What 7-Zip printed on stdout (a listing). */
  out: string[];
  /** Its error lines, joined: why it failed. */
  problem: string;
  /** Output stopped at the byte cap. */
  capped: boolean;
}

interface Fs {
  mkdir(path: string): void;
  mount(type: unknown, opts: { root: string }, mountpoint: string): void;
  chdir(path: string): void;
  ErrnoError: new (errno: number) => Error;
}
interface Module {
  FS: Fs;
  NODEFS: { stream_ops: { write: (...args: unknown[]) => number }; node_ops: { symlink: () => void } };
  callMain(args: string[]): number;
}
type Factory = (opts: { print(s: string): void; printErr(s: string): void }) => Promise<Module>;

let factory: Promise<Factory> | undefined;

/** The errno 7-Zip sees when the cap is reached: ENOSPC, as for a full disk. */
const ENOSPC = 28;
const EPERM = 63;

/**
 * Runs 7-Zip (WebAssembly, one fresh instance per run) on `archive` with the private folder holding
 * `spool` as its working directory, writing into `spool`. Writes past `cap` bytes fail as a full disk
 * would, so that 7-Zip stops there (cap 0: nothing may be written, as for a listing).
 */
export async function runSevenZip(
  archive: string,
  spool: string,
  args: string[],
  cap: number,
): Promise<SevenZipRun> {
  // 7z-wasm ships an ES module beside its CommonJS entry; its `main` (UMD) is what Node resolves.
  factory ??= import('7z-wasm').then((m) => (m as unknown as { default: Factory }).default);
  const out: string[] = [];
  const errors: string[] = [];
  const z = await (await factory)({ print: (s) => out.push(s), printErr: (s) => errors.push(s) });
  const ops = z.NODEFS.stream_ops;
  const write = ops.write;
  let written = 0;
  let capped = false;
  ops.write = function (this: unknown, ...a: unknown[]) {
    written += a[3] as number;
    if (written > cap) {
      capped = true;
      throw new z.FS.ErrnoError(ENOSPC);
    }
    return write.apply(this, a);
  };
  // A member that is a symbolic link would be made a real one, pointing anywhere: a later member
  // written through it would land outside the spool. Members are files; links are refused.
  z.NODEFS.node_ops.symlink = () => {
    throw new z.FS.ErrnoError(EPERM);
  };
  z.FS.mkdir('/a');
  z.FS.mount(z.NODEFS, { root: dirname(archive) }, '/a');
  z.FS.mkdir('/s');
  z.FS.mount(z.NODEFS, { root: dirname(spool) }, '/s');
  z.FS.chdir('/s');
  let code: number;
  // Emscripten's exit sets process.exitCode to 7-Zip's status: dsr's own exit code must not change.
  const exitCode = process.exitCode;
  try {
    code = z.callMain([
      '-bd',
      '-bso1',
      '-bse2',
      '-bsp0',
      ...args,
      `-o/s/${basename(spool)}`,
      `/a/${basename(archive)}`,
    ]);
  } catch (err) {
    errors.push((err as Error).message);
    code = 2;
  } finally {
    process.exitCode = exitCode;
  }
  return { code, out, problem: problemOf(errors), capped };
}

/** 7-Zip's error lines, without its banner and blank lines. */
function problemOf(lines: string[]): string {
  return lines
    .map((l) => l.trim())
    .filter((l) => l && !/^(ERRORS?:|Errors?:|Archives with Errors|Sub items Errors)/.test(l))
    .join('; ')
    .slice(0, 300);
}

/** Bytes of a 7z file's header looked at for its coders. */
const HEADER_BYTES = 64 * 1024;
/** The 7z coder id of AES-256 + SHA-256. */
const AES = Buffer.from([0x06, 0xf1, 0x07, 0x01]);

/**
 * Whether a 7z archive is encrypted, as far as its header shows without decompressing: an encrypted
 * header ("encrypted file names") lists the AES coder for the header itself; a plain header lists it
 * for the members. A compressed header hides the members' coders: then this cannot tell.
 */
export function sevenZipEncrypted(archive: string): string | undefined {
  const fd = openSync(archive, 'r');
  try {
    const start = Buffer.alloc(32);
    if (readSync(fd, start, 0, 32, 0) < 32) return undefined;
    const offset = Number(start.readBigUInt64LE(12));
    const size = Number(start.readBigUInt64LE(20));
    if (!Number.isSafeInteger(offset + 32) || size <= 0) return undefined;
    const header = Buffer.alloc(Math.min(size, HEADER_BYTES));
    const got = readSync(fd, header, 0, header.length, 32 + offset);
    if (!header.subarray(0, got).includes(AES)) return undefined;
    // 0x17: kEncodedHeader (the header is itself packed, here with AES); 0x01: kHeader (plain).
    return header[0] === 0x17 ? 'encrypted file names' : 'encrypted members';
  } finally {
    closeSync(fd);
  }
}
