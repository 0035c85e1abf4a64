import { type DetectorRegistry, registry as detectors } from '../../detectors/index.js';
import { lowerBound } from '../core/order.js';
import type { Candidate, DetectorId } from '../core/types.js';
import type { CompiledSubject } from '../match/subject.js';
import { EvidenceTracker } from './evidence.js';

/**
 * The fields of a message's own address headers: the addresses there are its correspondents, the
 * message's envelope, which removing the message does not take from anyone else (see buildPlan).
 */
export const ADDRESS_HEADER_FIELDS: ReadonlySet<string> = new Set([
  'header:From',
  'header:Sender',
  'header:Reply-To',
  'header:To',
  'header:Cc',
  'header:Bcc',
  'header:Delivered-To',
  'header:Return-Path',
]);

/** Places remembered per item to tell a repeat in another text stream of the same field. */
const MAX_PLACES = 4_000_000;

/** Where in its item a candidate was found. */
export interface Place {
  field: string;
  /** Offset in the field's text stream. */
  offset: number;
  structured?: boolean;
}

/**
 * One item's candidates as they are found. Only what becomes a finding is kept whole (the subject's
 * identifiers, and other people's under --all, up to `maxListed` each); the rest is counted and passed
 * to the evidence decision, so that an export of millions of records is read in bounded memory, and
 * without an object per candidate.
 *
 * The same identifier at the same place counts once (two aliases matching one name): a repeat is
 * told within a chunk by its detector's offsets there, and across text streams that share a field
 * (their offsets each start at 0) by the offsets of the earlier streams; chunks of one stream never
 * own the same place.
 */
export class ItemCandidates {
  readonly evidence: EvidenceTracker;
  /** Other people's identifiers per detector, in the order first met. */
  readonly others: Partial<Record<DetectorId, number>> = {};
  /**
   * Of the other people's values of the registry's correspondent detector (e-mail addresses), those in
   * the item's address header fields: a message's correspondents.
   */
  correspondents = 0;
  readonly subjectDetectors = new Set<DetectorId>();
  /** Some candidates were counted but not listed (`maxListed`). */
  overflow = false;
  private listedSubject = 0;
  private listedOthers = 0;
  /** This chunk's offsets per detector (a chunk's candidates all share its field). */
  private readonly inChunk = new Map<DetectorId, ChunkOffsets>();
  private readonly fields = new Map<string, FieldPlaces>();
  /** The last field's places: a detector's candidates in a chunk come one after another. */
  private last: { detector: DetectorId; field: string; places: FieldPlaces } | undefined;
  private places = 0;

  private readonly maxSubject: number;
  private readonly maxOthers: number;
  private readonly correspondentId: DetectorId | undefined;

  /**
   * `quota`: fewer to list of each kind than `maxListed`, for a part of a huge file whose earlier
   * parts have listed the rest (see RangeMerger).
   */
  constructor(
    subject: CompiledSubject,
    private readonly all: boolean,
    maxListed: number,
    quota?: { subject: number; others: number },
    registry: DetectorRegistry = detectors,
  ) {
    this.evidence = new EvidenceTracker(subject, registry);
    this.correspondentId = registry.correspondentId;
    this.maxSubject = Math.min(maxListed, quota?.subject ?? maxListed);
    this.maxOthers = Math.min(maxListed, quota?.others ?? maxListed);
  }

  /** Findings listed of each kind. */
  get listed(): { subject: number; others: number } {
    return {
      subject: Math.min(this.listedSubject, this.maxSubject),
      others: Math.min(this.listedOthers, this.maxOthers),
    };
  }

  startChunk(): void {
    for (const offsets of this.inChunk.values()) {
      offsets.list.length = 0;
      offsets.max = -1;
      offsets.set = undefined;
    }
  }

  /** Takes a candidate of text stream `stream`; true when it is listed (a finding). */
  add(c: Candidate, at: Place, stream: number): boolean {
    if (this.isRepeat(c.detector, at, stream)) return false;
    this.evidence.note(c.detector, c.subject, at, c.value);
    if (c.subject) {
      this.subjectDetectors.add(c.detector);
      if (this.listedSubject++ >= this.maxSubject) return this.overflowed();
    } else {
      this.others[c.detector] = (this.others[c.detector] ?? 0) + 1;
      if (c.detector === this.correspondentId && ADDRESS_HEADER_FIELDS.has(at.field)) this.correspondents++;
      if (!this.all) return false;
      if (this.listedOthers++ >= this.maxOthers) return this.overflowed();
    }
    return true;
  }

  private overflowed(): false {
    this.overflow = true;
    return false;
  }

  private isRepeat(detector: DetectorId, at: Place, stream: number): boolean {
    let offsets = this.inChunk.get(detector);
    if (!offsets) {
      offsets = { list: [], max: -1 };
      this.inChunk.set(detector, offsets);
    }
    // A detector's matches mostly come in order: only one at or before the furthest yet needs a lookup.
    if (at.offset <= offsets.max) {
      offsets.set ??= new Set(offsets.list);
      if (offsets.set.has(at.offset)) return true;
    } else offsets.max = at.offset;
    offsets.list.push(at.offset);
    offsets.set?.add(at.offset);
    const f = this.placesOf(detector, at.field, stream);
    if (f.stream !== stream) {
      if (f.current.length) f.earlier.push(Float64Array.from(f.current).sort());
      f.current = [];
      f.stream = stream;
    }
    for (const earlier of f.earlier) if (includes(earlier, at.offset)) return true;
    if (this.places < MAX_PLACES) {
      f.current.push(at.offset);
      this.places++;
    }
    return false;
  }

  private placesOf(detector: DetectorId, field: string, stream: number): FieldPlaces {
    const last = this.last;
    if (last && last.detector === detector && last.field === field) return last.places;
    const key = `${detector}\u0000${field}`;
    let places = this.fields.get(key);
    if (!places) {
      places = { stream, current: [], earlier: [] };
      this.fields.set(key, places);
    }
    this.last = { detector, field, places };
    return places;
  }
}

interface ChunkOffsets {
  list: number[];
  max: number;
  set?: Set<number>;
}

interface FieldPlaces {
  stream: number;
  current: number[];
  earlier: Float64Array[];
}

function includes(sorted: Float64Array, value: number): boolean {
  const at = lowerBound(sorted, value);
  return at < sorted.length && sorted[at] === value;
}
