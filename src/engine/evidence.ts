import type { DetectorRegistry, EvidenceRules } from '../../detectors/index.js';
import type { Candidate, DetectorId, Evidence } from '../core/types.js';
import type { CompiledSubject } from '../match/subject.js';

/** A candidate placed in its item: which text stream it came from and where. */
export interface PlacedCandidate extends Candidate {
  field: string;
  /** Absolute offset in the field's stream. */
  offset: number;
  structured?: boolean;
}

/** How close another person's value (a CPR number) must be to the subject's name to be "his". */
const NAMESAKE_DISTANCE = 150;

/**
 * One evidence level per item (README, "What counts as the subject's data"), from each detector's
 * evidence rules (see EvidenceRules): confirmed when a unique identifier of the subject is present;
 * namesake when the subject's name sits next to another person's value that tells a namesake (a
 * different CPR number), anywhere in an item that a face tag names the subject in, or when such a value
 * tells it by itself (an e-mail address made of the name that is not the subject's); possible for a
 * name or face tag alone. Undefined when the item holds nothing of the subject.
 */
export function evidenceOf(
  cands: readonly PlacedCandidate[],
  subject: CompiledSubject,
  registry: DetectorRegistry,
): Evidence | undefined {
  const tracker = new EvidenceTracker(subject, registry);
  for (const c of cands) tracker.add(c);
  return tracker.evidence();
}

/** Offsets of names and of other people's values kept per item (8 bytes each); an item with more is decided on these. */
const MAX_OFFSETS = 4_000_000;

/**
 * `evidenceOf`, taking the item's candidates one at a time and keeping only what the decision needs:
 * an export of millions of other people's identifiers is never held as candidates, only as the
 * offsets of those that can tell a namesake near a name (up to MAX_OFFSETS: past them, a namesake is
 * only seen near those kept).
 */
export class EvidenceTracker {
  private mine = false;
  private unique = false;
  private namesItem = false;
  private namesakeValue = false;
  /** The subject's name candidates per field (offsets), and the fields where one is structured. */
  private readonly names = new Map<string, number[]>();
  private readonly structuredNames = new Set<string>();
  /** Other people's values that tell a namesake near a name, per field (offsets). */
  private readonly others = new Map<string, number[]>();
  private offsets = 0;
  /** Each detector's rules, looked up once per detector id. */
  private readonly rules = new Map<DetectorId, EvidenceRules | undefined>();

  constructor(
    private readonly subject: CompiledSubject,
    private readonly registry: DetectorRegistry,
  ) {}

  add(c: PlacedCandidate): void {
    this.note(c.detector, c.subject, c, c.value);
  }

  /** A candidate by its parts: the subject's or not, where (field, offset, structured), its value. */
  note(
    detector: DetectorId,
    subject: boolean,
    at: { field: string; offset: number; structured?: boolean },
    value: string,
  ): void {
    const rules = this.rulesOf(detector);
    if (!rules) return;
    if (subject) {
      this.mine = true;
      if (rules.subject === 'confirmed') this.unique = true;
      else if (rules.names === 'item') this.namesItem = true;
      else if (rules.names === 'place') {
        this.keep(this.names, at.field, at.offset);
        if (at.structured) this.structuredNames.add(at.field);
      }
    } else if (rules.namesake === 'near-name') this.keep(this.others, at.field, at.offset);
    else if (rules.namesake && !this.namesakeValue && rules.namesake(value, this.subject))
      this.namesakeValue = true;
  }

  private rulesOf(detector: DetectorId): EvidenceRules | undefined {
    if (!this.rules.has(detector)) this.rules.set(detector, this.registry.get(detector)?.evidence);
    return this.rules.get(detector);
  }

  evidence(): Evidence | undefined {
    return decideEvidence(this.summary());
  }

  /**
   * What the decision rests on, in a form that parts of one item read apart (a huge file shared among
   * workers, see EvidenceSummary) can combine: the pairs of name and CPR number are settled here.
   */
  summary(): EvidenceSummary {
    const s: EvidenceSummary = {
      mine: this.mine,
      unique: this.unique,
      namesItem: this.namesItem,
      namesakeValue: this.namesakeValue,
      otherFields: [...this.others.keys()],
      structuredNameFields: [...this.structuredNames],
      nearName: false,
    };
    // Only worked out where it can still decide (see decideEvidence): it sorts every offset kept.
    if (s.mine && !s.unique && !s.namesakeValue)
      for (const [field, others] of this.others) {
        const names = this.names.get(field);
        if (names && anyWithin(names, others, NAMESAKE_DISTANCE)) {
          s.nearName = true;
          break;
        }
      }
    return s;
  }

  private keep(map: Map<string, number[]>, field: string, offset: number): void {
    const list = map.get(field);
    // A field's first offset is always kept: a structured name or a face tag needs only that one.
    if (list && this.offsets >= MAX_OFFSETS) return;
    this.offsets++;
    if (list) list.push(offset);
    else map.set(field, [offset]);
  }
}

/**
 * The facts of an item's evidence (see EvidenceTracker). Parts of one item read apart each note their
 * own candidates and those in a margin around them (wider than NAMESAKE_DISTANCE), so that a name and
 * another person's value close together are always seen by one part; `combineEvidence` then decides
 * for the item.
 */
export interface EvidenceSummary {
  /** A value of the subject's … */
  mine: boolean;
  /** … a unique identifier among them … */
  unique: boolean;
  /** … one that names the subject in the whole item (a face tag). */
  namesItem: boolean;
  /** Another person's value tells a namesake by itself. */
  namesakeValue: boolean;
  /** Fields holding another person's value that tells a namesake near a name … */
  otherFields: string[];
  /** … and fields where the subject's name is structured (a header, a tag). */
  structuredNameFields: string[];
  /** The subject's name lies within NAMESAKE_DISTANCE of such a value in the same field. */
  nearName: boolean;
}

function decideEvidence(s: EvidenceSummary): Evidence | undefined {
  if (!s.mine) return undefined;
  if (s.unique) return 'confirmed';
  if (s.namesakeValue) return 'namesake';
  // A face tag names the person in the whole photo, and a structured name its whole field.
  if (s.otherFields.length && (s.namesItem || s.otherFields.some((f) => s.structuredNameFields.includes(f))))
    return 'namesake';
  return s.nearName ? 'namesake' : 'possible';
}

/** The evidence of an item from the summaries of its parts. */
export function combineEvidence(parts: readonly EvidenceSummary[]): Evidence | undefined {
  return decideEvidence({
    mine: parts.some((p) => p.mine),
    unique: parts.some((p) => p.unique),
    namesItem: parts.some((p) => p.namesItem),
    namesakeValue: parts.some((p) => p.namesakeValue),
    otherFields: [...new Set(parts.flatMap((p) => p.otherFields))],
    structuredNameFields: [...new Set(parts.flatMap((p) => p.structuredNameFields))],
    nearName: parts.some((p) => p.nearName),
  });
}

/** Whether some a in `as` and b in `bs` lie at most `distance` apart. */
function anyWithin(as: number[], bs: number[], distance: number): boolean {
  const a = Float64Array.from(as).sort();
  const b = Float64Array.from(bs).sort();
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (Math.abs(a[i] - b[j]) <= distance) return true;
    if (a[i] < b[j]) i++;
    else j++;
  }
  return false;
}
