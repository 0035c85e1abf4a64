import type { DetectorId } from '../core/types.js';
import { EvidenceTracker, type PlacedCandidate } from '../match/evidence.js';
import type { CompiledSubject } from '../match/subject.js';

/** Places remembered per item to tell a repeat in another text stream of the same field. */
const MAX_PLACES = 4_000_000;

/**
 * One item's candidates as they are found. Only what becomes a finding is kept whole (the subject's
 * identifiers, and other people's under --all, up to `maxListed` each); the rest is counted and passed
 * to the evidence decision, so that an export of millions of records is read in bounded memory.
 *
 * The same identifier at the same place counts once (two aliases matching one name): a repeat is
 * told within a chunk by its place, and across text streams that share a field (their offsets each
 * start at 0) by the places of the earlier streams; chunks of one stream never own the same place.
 */
export class ItemCandidates {
  readonly listed: PlacedCandidate[] = [];
  readonly evidence: EvidenceTracker;
  /** Other people's identifiers per detector, in the order first met. */
  readonly others: Partial<Record<DetectorId, number>> = {};
  readonly subjectDetectors = new Set<DetectorId>();
  /** Some candidates were counted but not listed (`maxListed`). */
  overflow = false;
  private listedSubject = 0;
  private listedOthers = 0;
  private readonly chunkPlaces = new Set<string>();
  private readonly fields = new Map<string, FieldPlaces>();
  /** The last field's places: a detector's candidates in a chunk come one after another. */
  private last: { detector: string; field: string; places: FieldPlaces } | undefined;
  private places = 0;

  constructor(
    subject: CompiledSubject,
    private readonly all: boolean,
    private readonly maxListed: number,
  ) {
    this.evidence = new EvidenceTracker(subject);
  }

  startChunk(): void {
    this.chunkPlaces.clear();
  }

  /** Takes a candidate of text stream `stream`; true when it is listed (a finding to be placed). */
  add(c: PlacedCandidate, stream: number): boolean {
    if (this.isRepeat(c, stream)) return false;
    this.evidence.add(c);
    if (c.subject) {
      this.subjectDetectors.add(c.detector);
      return this.list(c, this.listedSubject++);
    }
    this.others[c.detector] = (this.others[c.detector] ?? 0) + 1;
    return this.all && this.list(c, this.listedOthers++);
  }

  private list(c: PlacedCandidate, before: number): boolean {
    if (before >= this.maxListed) {
      this.overflow = true;
      return false;
    }
    this.listed.push(c);
    return true;
  }

  private placesOf(detector: string, field: string, stream: number): FieldPlaces {
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

  private isRepeat(c: PlacedCandidate, stream: number): boolean {
    // All candidates of a chunk share its field.
    const place = `${c.offset}${c.detector}`;
    if (this.chunkPlaces.has(place)) return true;
    this.chunkPlaces.add(place);
    const f = this.placesOf(c.detector, c.field, stream);
    if (f.stream !== stream) {
      if (f.current.length) f.earlier.push(Float64Array.from(f.current).sort());
      f.current = [];
      f.stream = stream;
    }
    for (const offsets of f.earlier) if (includes(offsets, c.offset)) return true;
    if (this.places < MAX_PLACES) {
      f.current.push(c.offset);
      this.places++;
    }
    return false;
  }
}

interface FieldPlaces {
  stream: number;
  current: number[];
  earlier: Float64Array[];
}

function includes(sorted: Float64Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === value;
}
