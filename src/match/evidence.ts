import type { Candidate, DetectorId, Evidence } from '../core/types.js';
import { foldToken } from './fold.js';
import type { CompiledSubject } from './subject.js';

/** A candidate placed in its item: which text stream it came from and where. */
export interface PlacedCandidate extends Candidate {
  field: string;
  /** Absolute offset in the field's stream. */
  offset: number;
  structured?: boolean;
}

const UNIQUE: ReadonlySet<DetectorId> = new Set(['cpr', 'email', 'phone']);
/** How close a different CPR number must be to the subject's name to be "his" CPR. */
const NAMESAKE_DISTANCE = 150;

/**
 * One evidence level per item (README, "What counts as the subject's data"): confirmed when a unique
 * identifier of the subject is present; namesake when the subject's name sits next to a different CPR
 * number, or beside an e-mail address made of that name that is not the subject's; possible for a name or
 * face tag alone.
 * Undefined when the item holds nothing of the subject.
 */
export function evidenceOf(
  cands: readonly PlacedCandidate[],
  subject: CompiledSubject,
): Evidence | undefined {
  const tracker = new EvidenceTracker(subject);
  for (const c of cands) tracker.add(c);
  return tracker.evidence();
}

/** Offsets of names and CPR numbers kept per item (8 bytes each); an item with more is decided on these. */
const MAX_OFFSETS = 4_000_000;

/**
 * `evidenceOf`, taking the item's candidates one at a time and keeping only what the decision needs:
 * an export of millions of other people's identifiers is never held as candidates, only as the
 * offsets of its CPR numbers (up to MAX_OFFSETS: past them, a namesake is only seen near those kept).
 */
export class EvidenceTracker {
  private mine = false;
  private unique = false;
  private face = false;
  private namesakeEmail = false;
  /** The subject's name candidates per field (offsets), and the fields where one is structured. */
  private readonly names = new Map<string, number[]>();
  private readonly structuredNames = new Set<string>();
  /** Other people's CPR numbers per field (offsets). */
  private readonly cprs = new Map<string, number[]>();
  private offsets = 0;

  constructor(private readonly subject: CompiledSubject) {}

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
    if (subject) {
      this.mine = true;
      if (UNIQUE.has(detector)) this.unique = true;
      else if (detector === 'face') this.face = true;
      else if (detector === 'name') {
        this.keep(this.names, at.field, at.offset);
        if (at.structured) this.structuredNames.add(at.field);
      }
    } else if (detector === 'cpr') this.keep(this.cprs, at.field, at.offset);
    else if (detector === 'email' && !this.namesakeEmail && emailMadeOfName(value, this.subject))
      this.namesakeEmail = true;
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
      face: this.face,
      namesakeEmail: this.namesakeEmail,
      cprFields: [...this.cprs.keys()],
      structuredNameFields: [...this.structuredNames],
      nearCpr: false,
    };
    // Only worked out where it can still decide (see decideEvidence): it sorts every offset kept.
    if (s.mine && !s.unique && !s.namesakeEmail)
      for (const [field, cprs] of this.cprs) {
        const names = this.names.get(field);
        if (names && anyWithin(names, cprs, NAMESAKE_DISTANCE)) {
          s.nearCpr = true;
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
 * a CPR number close together are always seen by one part; `combineEvidence` then decides for the item.
 */
export interface EvidenceSummary {
  mine: boolean;
  unique: boolean;
  face: boolean;
  namesakeEmail: boolean;
  /** Fields holding another person's CPR number … */
  cprFields: string[];
  /** … and fields where the subject's name is structured (a header, a tag). */
  structuredNameFields: string[];
  /** The subject's name lies within NAMESAKE_DISTANCE of another CPR number in the same field. */
  nearCpr: boolean;
}

function decideEvidence(s: EvidenceSummary): Evidence | undefined {
  if (!s.mine) return undefined;
  if (s.unique) return 'confirmed';
  if (s.namesakeEmail) return 'namesake';
  // A face tag names the person in the whole photo, so any other CPR in the same item counts.
  if (s.cprFields.length && (s.face || s.cprFields.some((f) => s.structuredNameFields.includes(f))))
    return 'namesake';
  return s.nearCpr ? 'namesake' : 'possible';
}

/** The evidence of an item from the summaries of its parts. */
export function combineEvidence(parts: readonly EvidenceSummary[]): Evidence | undefined {
  return decideEvidence({
    mine: parts.some((p) => p.mine),
    unique: parts.some((p) => p.unique),
    face: parts.some((p) => p.face),
    namesakeEmail: parts.some((p) => p.namesakeEmail),
    cprFields: [...new Set(parts.flatMap((p) => p.cprFields))],
    structuredNameFields: [...new Set(parts.flatMap((p) => p.structuredNameFields))],
    nearCpr: parts.some((p) => p.nearCpr),
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

/**
 * An address made of the subject's name: the surname plus the first name (`soren.ostergaard@…`,
 * `ostergaard.soren@…`) or plus initials only (`s.ostergaard@…`, `sk.ostergaard@…`), in any spelling.
 * `steen.ostergaard@…` or `info@ostergaard.dk` is not.
 */
export function emailMadeOfName(email: string, subject: CompiledSubject): boolean {
  const raw = email.slice(0, Math.max(0, email.lastIndexOf('@')));
  // Folding is slow next to a regex test, and most addresses hold no trace of the surname.
  if (!subject.names.some((m) => m.containsSurname(raw))) return false;
  const local = lettersOf(raw);
  if (!local) return false;
  return subject.names.some((m) => {
    const first = lettersOf(m.folded[0]);
    const last = lettersOf(m.folded[m.folded.length - 1]);
    const at = last ? local.indexOf(last) : -1;
    if (!first || at === -1) return false;
    const rest = local.slice(0, at) + local.slice(at + last.length);
    if (rest.includes(first)) return true;
    return rest.length > 0 && rest.length < m.folded.length && rest[0] === first[0];
  });
}

function lettersOf(s: string): string {
  return foldToken(s).replace(/[^a-z]/g, '');
}
