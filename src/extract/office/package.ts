import type { ItemInput } from '../../core/types.js';
import type { ExtractContext } from '../api.js';
import type { ByteSource } from '../archive/byte-source.js';
import { memberLimitBreach } from '../archive/member-limits.js';
import { baseName, chargeInflated, memberRef } from '../archive/members.js';
import {
  readZipEntry,
  streamZipEntry,
  UnsupportedMethodError,
  type ZipEntry,
} from '../archive/zip-reader.js';
import { containerOf } from '../media/container.js';

/** Where Word, Excel, PowerPoint and OpenDocument keep pictures, in a format that carries photo metadata. */
export const PICTURE_PART =
  /^(?:(?:word|xl|ppt)\/media|Pictures)\/[^/]+\.(?:jpe?g|png|tiff?|webp|heic|heif|avif)$/i;

/**
 * An Office Open XML or OpenDocument file opened as the zip it is: parts are read on demand, each
 * under the same ratio and size limits as any archive member.
 */
export class OfficePackage {
  private stopped = false;

  constructor(
    readonly input: ItemInput,
    readonly ctx: ExtractContext,
    private readonly src: ByteSource,
    private readonly parts: Map<string, ZipEntry>,
  ) {}

  has(name: string): boolean {
    return this.parts.has(name);
  }

  /** Part names matching `pattern`, in natural order (`slide2` before `slide10`). */
  names(pattern: RegExp): string[] {
    return [...this.parts.keys()]
      .filter((n) => pattern.test(n))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }

  /** A part as text (UTF-8), or undefined when it is missing or could not be read (recorded as an error). */
  async text(name: string): Promise<string | undefined> {
    const data = await this.bytes(name);
    if (!data) return undefined;
    const s = data.toString('utf8');
    return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  }

  async bytes(name: string): Promise<Buffer | undefined> {
    const entry = this.parts.get(name);
    if (!entry || this.stopped) return undefined;
    const breach = memberLimitBreach(this.ctx.limits, entry.compressedSize, entry.size);
    if (breach) {
      this.ctx.error('limit', `part ${name}: ${breach}`);
      return undefined;
    }
    if (!chargeInflated(this.ctx, this.input.ref, entry.size)) {
      this.stopped = true;
      return undefined;
    }
    try {
      return await readZipEntry(this.src, entry);
    } catch (err) {
      const kind = err instanceof UnsupportedMethodError ? 'unsupported' : 'corrupt';
      this.ctx.error(kind, `part ${name}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /**
   * A part as UTF-8 text piece by piece, for one too large to hold (a spreadsheet's sheet): under the
   * ratio limit and the inflated budget like any part, not under the in-memory size limit. A damaged
   * part ends the pieces with an error entry; what came before it is still read.
   */
  async *textPieces(name: string): AsyncGenerator<string> {
    const entry = this.parts.get(name);
    if (!entry || this.stopped) return;
    const breach = memberLimitBreach(
      { ...this.ctx.limits, maxExtractBytes: Number.POSITIVE_INFINITY },
      entry.compressedSize,
      entry.size,
    );
    if (breach) {
      this.ctx.error('limit', `part ${name}: ${breach}`);
      return;
    }
    if (!chargeInflated(this.ctx, this.input.ref, entry.size)) {
      this.stopped = true;
      return;
    }
    const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
    try {
      for await (const bytes of streamZipEntry(this.src, entry)) {
        const piece = decoder.decode(bytes, { stream: true });
        if (piece) yield piece;
      }
      const rest = decoder.decode();
      if (rest) yield rest;
    } catch (err) {
      const kind = err instanceof UnsupportedMethodError ? 'unsupported' : 'corrupt';
      this.ctx.error(kind, `part ${name}: ${(err as Error).message}`);
    }
  }

  emit(text: string, field: string, structured = false): void {
    if (text.trim()) this.ctx.text(text, { field, structured });
  }

  /**
   * Pictures kept in the package (`word/media/image1.jpeg`, `Pictures/…`) go back through the media
   * reader as members, for their metadata only (face regions, person tags, author): a photo pasted into
   * a document keeps its tags. Only photo formats (by name, then by their first bytes) are read.
   */
  async pictures(): Promise<void> {
    for (const name of this.names(PICTURE_PART)) {
      const data = await this.bytes(name);
      if (!data || containerOf(data.subarray(0, 16)) === 'other') continue;
      await this.ctx.child({
        ref: memberRef(this.input.ref, name),
        name: baseName(name),
        source: { kind: 'buffer', data },
        metadataOnly: true,
      });
    }
  }

  /** Embedded documents (a spreadsheet pasted into a Word file) go back through the extractors as members. */
  async embeddings(folder: RegExp): Promise<void> {
    for (const name of this.names(folder)) {
      const data = await this.bytes(name);
      if (!data) continue;
      await this.ctx.child({
        ref: memberRef(this.input.ref, name),
        name: baseName(name),
        source: { kind: 'buffer', data },
      });
    }
  }
}
