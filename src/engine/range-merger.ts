import { itemId } from '../core/ids.js';
import { tooManyFindings } from '../core/limits.js';
import type { DetectorId, Finding, ItemInput, ItemRecord, ScanError } from '../core/types.js';
import { ELEMENT_SEP } from '../scan-file/json-array-spool.js';
import { ElementWriter, type PackedFindings, textOf, withEvidence } from '../scan-file/packed-findings.js';
import { combineEvidence, type EvidenceSummary } from './evidence.js';
import { fingerprintOf, type HashSoFar } from './fingerprint.js';
import { fileResult, type TopLevelResult } from './result.js';

/** A finding element's detector and whether it is the subject's (its first such keys: see `filter`). */
const KIND = /,"detector":"([a-z]+)","subject":(true|false),/;

/**
 * Makes one file's result of the results of its parts (see `textRanges`, PdfPart), taken in order: their
 * findings, the first `maxListed` of each kind (the subject's; other people's), as one read lists
 * them; counts; and the evidence, decided for the whole file and set in every finding.
 */
export class RangeMerger {
  private parts: Uint8Array[] = [];
  private count = 0;
  private readonly counts: Record<string, number> = {};
  private readonly pathNames: Finding[] = [];
  private readonly summaries: EvidenceSummary[] = [];
  private readonly others: Partial<Record<DetectorId, number>> = {};
  private readonly detectors = new Set<DetectorId>();
  private readonly listed = { subject: 0, others: 0 };
  private overflow = false;
  private readonly errors: ScanError[] = [];
  /** Index mode: the filter of every part's tokens (a part's filter holds them all, however few). */
  private tokenFilter: Uint8Array | undefined;

  /** `index`: the parts are an index's (their token filters are merged). */
  constructor(
    private readonly maxListed: number,
    private readonly index = false,
  ) {}

  /** Parts merged so far. */
  get size(): number {
    return this.summaries.length;
  }

  /** Findings of each kind the parts after those merged may still list. */
  quota(): { subject: number; others: number } {
    return {
      subject: Math.max(0, this.maxListed - this.listed.subject),
      others: Math.max(0, this.maxListed - this.listed.others),
    };
  }

  /** The next part's result; false when it cannot be merged (the file is then read in one piece). */
  add(result: TopLevelResult): boolean {
    const part = result.range;
    if (!part?.evidence || part.invalid || result.packed?.spilled) return false;
    const filter = result.tokenFilter;
    if (this.index && (!filter || filter.length !== (this.tokenFilter?.length ?? filter.length)))
      return false;
    this.summaries.push(part.evidence);
    for (const [detector, n] of Object.entries(part.others ?? {}) as [DetectorId, number][])
      this.others[detector] = (this.others[detector] ?? 0) + n;
    for (const d of part.detectors ?? []) this.detectors.add(d);
    if (part.overflow) this.overflow = true;
    this.errors.push(...result.errors);
    // Token filters are Bloom filters of one size: the file's is the OR of its parts'.
    if (this.index) {
      this.tokenFilter ??= new Uint8Array(filter!.length);
      const merged = this.tokenFilter;
      for (let i = 0; i < merged.length; i++) merged[i] |= filter![i];
    }
    const packed = result.packed;
    if (!packed) return true;
    this.pathNames.push(...packed.pathNames);
    const room = this.quota();
    const listed = part.listed ?? { subject: 0, others: 0 };
    if (listed.subject <= room.subject && listed.others <= room.others) {
      this.parts.push(...packed.elements);
      this.count += packed.count;
      for (const [key, n] of Object.entries(packed.counts)) this.counts[key] = (this.counts[key] ?? 0) + n;
      this.listed.subject += listed.subject;
      this.listed.others += listed.others;
    } else {
      // Earlier parts listed some of what this one was allowed to when it started.
      this.overflow = true;
      this.filter(packed);
    }
    return true;
  }

  /**
   * Keeps the part's first findings of each kind that still fit. Elements hold no raw line break, and a
   * `"` within a JSON string is escaped: the first `,"detector":"…","subject":…,` is the finding's own.
   */
  private filter(packed: PackedFindings): void {
    const kept = new ElementWriter();
    for (const part of packed.elements)
      for (const element of textOf(part).split(ELEMENT_SEP)) {
        const kind = KIND.exec(element);
        if (!kind) continue;
        const subject = kind[2] === 'true';
        if (subject ? this.listed.subject >= this.maxListed : this.listed.others >= this.maxListed) continue;
        if (subject) this.listed.subject++;
        else this.listed.others++;
        kept.add(element);
        const key = `${kind[1]}:${subject ? 'subject' : 'other'}`;
        this.counts[key] = (this.counts[key] ?? 0) + 1;
      }
    this.parts.push(...kept.parts());
    this.count += kept.count;
  }

  /**
   * The file's result, as one read of it gives; `hashed`: its hash begun while it was cut into ranges.
   * `format`: the file's (a PDF's pages are parts too: see PdfPart).
   */
  async finish(input: ItemInput, hashed?: HashSoFar, format = 'text'): Promise<TopLevelResult> {
    const evidence = combineEvidence(this.summaries);
    const level = evidence ?? 'none';
    const errors = [...this.errors];
    const ref = { path: input.ref.path, itemPath: [...input.ref.itemPath] };
    if (this.overflow) errors.push({ ...ref, kind: 'limit', message: tooManyFindings(this.maxListed) });
    for (const f of this.pathNames) f.evidence = level;
    const result: TopLevelResult = {
      ...fileResult(input.source.kind === 'file' ? input.source.size : input.source.data.length, format),
      errors,
      parts: this.summaries.length,
      ...(this.tokenFilter ? { tokenFilter: this.tokenFilter } : {}),
    };
    if (this.count || this.pathNames.length)
      result.packed = {
        elements: withEvidence(this.parts, level),
        count: this.count,
        counts: this.counts,
        pathNames: this.pathNames,
      };
    if (evidence) {
      const record: ItemRecord = {
        id: itemId(ref),
        path: ref.path,
        itemPath: ref.itemPath,
        evidence,
        detectors: [...this.detectors].sort(),
        fingerprint: await fingerprintOf(input, hashed),
        ...(Object.keys(this.others).length ? { others: this.others } : {}),
        format,
        scannedAt: new Date().toISOString(),
      };
      result.items.push(record);
    }
    return result;
  }
}
