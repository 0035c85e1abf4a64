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
 * One evidence level per item (PRODUCT.md): confirmed when a unique identifier of the subject is
 * present; namesake when the subject's name sits next to a different CPR number, or beside an e-mail
 * address made of that name that is not the subject's; possible for a name or face tag alone.
 * Undefined when the item holds nothing of the subject.
 */
export function evidenceOf(
  cands: readonly PlacedCandidate[],
  subject: CompiledSubject,
): Evidence | undefined {
  const mine = cands.filter((c) => c.subject);
  if (!mine.length) return undefined;
  if (mine.some((c) => UNIQUE.has(c.detector))) return 'confirmed';
  const names = mine.filter((c) => c.detector === 'name' || c.detector === 'face');
  for (const other of cands) {
    if (other.subject) continue;
    if (other.detector === 'cpr') {
      const near = names.some(
        (n) =>
          n.field === other.field && (n.structured || Math.abs(n.offset - other.offset) <= NAMESAKE_DISTANCE),
      );
      if (near) return 'namesake';
    }
    if (other.detector === 'email' && emailMadeOfName(other.value, subject)) return 'namesake';
  }
  return 'possible';
}

/** `soren.ostergaard@other.dk`, `s.ostergard@…`, `sorenostergaard@…` for Søren Østergård. */
export function emailMadeOfName(email: string, subject: CompiledSubject): boolean {
  const local = foldToken(email.split('@')[0] ?? '').replace(/[^a-z]/g, '');
  if (!local) return false;
  return subject.names.some((m) => {
    const first = m.folded[0];
    const last = m.folded[m.folded.length - 1];
    if (!last || !local.includes(last)) return false;
    return local.includes(first) || local.startsWith(first[0]);
  });
}
