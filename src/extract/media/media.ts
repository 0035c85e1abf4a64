import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { rm, symlink, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ExtractError } from '../../core/errors.js';
import { fsPath, hasRawBytes } from '../../core/raw-path.js';
import { makeTempDir } from '../../core/run-temp.js';
import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import { MEDIA_EXTENSIONS, mediaFormat } from '../formats.js';
import { deadlineOf, ocrUnavailable, readImageByOcr } from '../ocr/ocr.js';
import { pageLikeSignal } from '../ocr/page-like.js';
import { extensionOf, readHead } from '../read.js';
import { detectEncoding } from '../text/decode.js';
import text from '../text/text.js';
import { documentScanSignal } from './document-scan.js';
import { readTags } from './exiftool.js';
import { decodeHeif } from './heif-decode.js';
import { type Probe, probeMetadata, type ReadRange, xmpHasFields } from './probe.js';
import { EXIFTOOL_ARGS, entriesFromTags, type MetaEntry, problemOf } from './tags.js';
import { readXmpTags } from './xmp.js';

/** Bytes read at once from the start of a photo for the metadata probe. */
const FIRST_READ = 128 * 1024;

const SIDECAR_IMAGE_EXTENSIONS = MEDIA_EXTENSIONS.flatMap((e) => [e, e.toUpperCase()]);

/**
 * Photos, videos and XMP sidecars: face regions and person keywords become face-tag texts (one per
 * person, with the region), author/rights/caption fields ordinary structured text. A native look at
 * JPEG/PNG/WebP metadata segments settles most photos without exiftool: no such field, nothing to read;
 * fields in XMP and plain EXIF/IPTC values are read natively, exactly as exiftool gives them; anything
 * else (other containers, values or structures the native readers leave to exiftool) goes to exiftool.
 */
const media: Extractor = {
  ...mediaFormat,
  async extract(input, ctx) {
    // A file with the subject's surname is read twice (an anchor pass, then every detector): the
    // metadata is read once per item, not once per pass.
    let read = readings.get(input);
    if (!read) {
      read = readMetadata(input, ctx);
      readings.set(input, read);
    }
    const meta = await read;
    if (meta.undecoded) ctx.error(meta.undecoded.kind, meta.undecoded.message);
    if (meta.scan) await readScan(input, ctx, meta.scan, meta.decoded);
    if (meta.kind === 'none') return;
    if (meta.kind === 'text') return text.extract(input, ctx);
    emitEntries(ctx, meta.entries, meta.sidecarOf);
    if (meta.timedOut) ctx.error('timeout', meta.timedOut);
    else if (meta.problem) ctx.error('corrupt', `exiftool: ${meta.problem}`);
  },
};

/**
 * An image of a document is read by OCR; where OCR is missing it is an `unsupported` error saying what
 * to install. An image OCR cannot read is an error of its own, and its metadata is still read.
 */
async function readScan(
  input: ItemInput,
  ctx: ExtractContext,
  signal: string,
  decoded?: readonly Uint8Array[],
): Promise<void> {
  const why = await ocrUnavailable();
  if (why) {
    ctx.withoutText({ kind: 'image', signal, why });
    return;
  }
  try {
    await readImageByOcr(input, ctx, decoded);
  } catch (err) {
    if (!(err instanceof ExtractError)) throw err;
    ctx.error(err.kind, `OCR: ${err.message}`);
  }
}

type Metadata = (
  | { kind: 'none' }
  | { kind: 'text' }
  | { kind: 'entries'; entries: MetaEntry[]; sidecarOf?: string; problem?: string; timedOut?: string }
) & {
  /** Why the image looks like a scanned document (see documentScanSignal). */
  scan?: string;
} & HeifLook;

/** What decoding a HEIF picture gave (see heifLook). */
interface HeifLook {
  scan?: string;
  /** Its pictures as JPEG images, when one looks like a page: OCR reads these. */
  decoded?: Uint8Array[];
  /** Why it could not be looked at (no decoder, or not within the time limit): an error. */
  undecoded?: { kind: 'unsupported' | 'timeout'; message: string };
}

const readings = new WeakMap<ItemInput, Promise<Metadata>>();

async function readMetadata(input: ItemInput, ctx: ExtractContext): Promise<Metadata> {
  const size = input.source.kind === 'file' ? input.source.size : input.source.data.length;
  if (size === 0) throw new ExtractError('corrupt', 'empty file (0 bytes): no image data or metadata');
  const sidecar = extensionOf(input.name).endsWith('.xmp');
  const { probe, scan: probedScan } = sidecar
    ? { probe: await probeSidecar(ctx), scan: undefined }
    : probeMedia(input, size);
  // A picture in a document is looked at for its tags only: whether it shows a page is not asked.
  const pixels = !input.metadataOnly;
  const headerScan = pixels ? probedScan : undefined;
  // A WebP's or a HEIC's headers say nothing of what it shows: a look at a thumbnail decides.
  const look: HeifLook =
    headerScan || probe.container !== 'heif' || !pixels ? {} : await heifLook(input, ctx, sidecar);
  const { decoded, undecoded } = look;
  const scan =
    headerScan ??
    (probe.container === 'webp' && pixels ? await pageLikeSignal(await ctx.readAll()) : undefined) ??
    look.scan;
  if (!probe.read) return { kind: 'none', scan, decoded, undecoded };
  // A text file with a photo's name (a renamed note, an HTML error page saved as .jpg) is read as text.
  if (probe.container === 'other' && !sidecar && pixels && (await looksLikeText(input)))
    return { kind: 'text' };
  const sidecarOf = sidecar ? imageOfSidecar(input) : undefined;
  const native = nativeTags(probe);
  if (native)
    return { kind: 'entries', entries: entriesFromTags(native), sidecarOf, scan, decoded, undecoded };
  let tags: Record<string, unknown>;
  try {
    tags = await withExifToolPath(input, ctx, (path) =>
      readTags(path, [...EXIFTOOL_ARGS], Math.max(1000, ctx.limits.timeoutMs - 1000)),
    );
  } catch (err) {
    if (!(err instanceof ExtractError && err.kind === 'timeout')) throw err;
    // exiftool stalled (a hostile packet): what dsr's own readers reach is still searched.
    const entries = entriesFromTags(reachableTags(probe));
    return {
      kind: 'entries',
      entries,
      sidecarOf,
      timedOut: `${err.message}; read natively as far as it goes`,
      scan,
      decoded,
      undecoded,
    };
  }
  return {
    kind: 'entries',
    entries: entriesFromTags(tags),
    sidecarOf,
    problem: problemOf(tags),
    scan,
    decoded,
    undecoded,
  };
}

/**
 * A HEIF picture (HEIC from a phone) is decoded by heif-convert and looked at as a WebP is (see
 * pageLikeSignal): a photo costs one decode, never OCR. Without heif-convert any HEIF picture may be
 * a document that is not read: an `unsupported` error saying what to install, never a silent pass.
 * A picture libheif cannot decode says nothing of what it shows (its metadata is still read).
 */
async function heifLook(input: ItemInput, ctx: ExtractContext, sidecar: boolean): Promise<HeifLook> {
  if (sidecar) return {};
  let pictures: Uint8Array[];
  try {
    pictures = await decodeHeif(input, ctx, deadlineOf(input, ctx) - Date.now());
  } catch (err) {
    if (!(err instanceof ExtractError)) throw err;
    if (err.kind === 'unsupported' || err.kind === 'timeout')
      return {
        undecoded: {
          kind: err.kind,
          message: `HEIF picture not decoded, so not looked at for a document to read by OCR: ${err.message}`,
        },
      };
    return {};
  }
  for (const picture of pictures) {
    const scan = await pageLikeSignal(picture);
    if (scan) return { scan, decoded: pictures };
  }
  return {};
}

/** The fields dsr's native readers reach in a file exiftool could not read in time (see Probe.reachable). */
function reachableTags(probe: Probe): Record<string, unknown> {
  const packets = probe.reachable?.xmp ?? probe.xmp ?? [];
  const utf8 = new TextDecoder('utf-8', { fatal: false });
  let xmp: Record<string, unknown> = {};
  try {
    xmp = readXmpTags(
      packets.map((p) => utf8.decode(p).replace(/^\ufeff/, '')),
      { reachable: true },
    );
  } catch {
    // Not XML at all: nothing more to reach.
  }
  return { ...xmp, ...(probe.reachable?.tags ?? probe.tags) };
}

/**
 * The fields the probe found, read natively (XMP packets, EXIF and IPTC values), or undefined when
 * exiftool must read the file (the probe said so, or the XMP is UTF-16 or malformed).
 */
function nativeTags(probe: Probe): Record<string, unknown> | undefined {
  if (!probe.xmp && !probe.tags) return undefined;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    const xmp = readXmpTags((probe.xmp ?? []).map((p) => utf8.decode(p).replace(/^\ufeff/, '')));
    return { ...xmp, ...probe.tags };
  } catch {
    return undefined;
  }
}

export function emitEntries(ctx: ExtractContext, entries: MetaEntry[], sidecarOf?: string): void {
  for (const e of entries) {
    ctx.text(e.text, {
      field: e.field,
      structured: true,
      faceTag: e.faceTag,
      location: {
        field: e.field,
        ...(e.region ? { region: e.region } : {}),
        ...(sidecarOf ? { sidecarOf } : {}),
      },
    });
  }
}

/** The metadata probe, and whether the image is a scanned document (both from the same reads). */
function probeMedia(input: ItemInput, size: number): { probe: Probe; scan?: string } {
  if (input.source.kind === 'buffer') {
    const data = input.source.data;
    const read: ReadRange = (o, l) => data.subarray(o, o + l);
    return { probe: probeMetadata(data.subarray(0, 64), size, read), scan: documentScanSignal(size, read) };
  }
  // One open and usually one read per photo: metadata segments sit at the start of the file.
  // Synchronous reads: a worker has nothing else to do meanwhile, and a page-cached read is far faster
  // than a round trip through libuv's thread pool (most photos are settled by this one read).
  const fd = openSync(fsPath(input.source.absPath), 'r');
  try {
    const first = Buffer.allocUnsafe(Math.min(size, FIRST_READ));
    const cached = first.subarray(0, readSync(fd, first, 0, first.length, 0));
    const read: ReadRange = (offset, length) => {
      if (offset + length <= cached.length) return cached.subarray(offset, offset + length);
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      return buf.subarray(0, readSync(fd, buf, 0, buf.length, offset));
    };
    return { probe: probeMetadata(cached.subarray(0, 64), size, read), scan: documentScanSignal(size, read) };
  } finally {
    closeSync(fd);
  }
}

async function looksLikeText(input: ItemInput): Promise<boolean> {
  const head = await readHead(input, 4096);
  if (media.sniff?.(head, input)) return false;
  return detectEncoding(head) !== 'binary';
}

async function probeSidecar(ctx: ExtractContext): Promise<Probe> {
  const data = await ctx.readAll();
  // UTF-16 or UTF-32 XMP (NUL bytes): the field test cannot see into it, exiftool reads it.
  if (data.includes(0)) return { read: true, reason: 'XMP in UTF-16 or UTF-32' };
  return xmpHasFields(data.toString('latin1'))
    ? { read: true, reason: 'XMP person, keyword or author fields', xmp: [data] }
    : { read: false, reason: 'no person, author or caption fields' };
}

/**
 * exiftool takes file names one per line, and as UTF-8, so a file whose path holds a line break or
 * bytes that are not UTF-8 (see raw-path.ts) is read through a symlink with a plain name; a nested
 * item (archive member, attachment) through a private temp file.
 * Absolute paths never start with `-`, so no name is taken for an option.
 */
async function withExifToolPath<T>(
  input: ItemInput,
  ctx: ExtractContext,
  use: (path: string) => Promise<T>,
): Promise<T> {
  if (
    input.source.kind === 'file' &&
    !/[\r\n]/.test(input.source.absPath) &&
    !hasRawBytes(input.source.absPath)
  )
    return use(input.source.absPath);
  const dir = await makeTempDir('media');
  try {
    const ext = extname(input.name)
      .replace(/[^A-Za-z0-9.]/g, '')
      .slice(0, 10);
    const path = join(dir, `item${ext}`);
    if (input.source.kind === 'file') await symlink(fsPath(input.source.absPath), path);
    else await writeFile(path, await ctx.readAll(), { mode: 0o600 });
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `IMG_1234.jpg.xmp` describes `IMG_1234.jpg`; `IMG_1234.xmp` describes `IMG_1234.<image extension>`. */
export function imageOfSidecar(input: ItemInput): string | undefined {
  if (input.source.kind !== 'file') return undefined;
  const path = input.source.absPath;
  const stem = path.slice(0, -extname(path).length);
  if (extname(stem) && existsSync(stem)) return stem;
  for (const ext of SIDECAR_IMAGE_EXTENSIONS) if (existsSync(stem + ext)) return stem + ext;
  return undefined;
}

export default media;
