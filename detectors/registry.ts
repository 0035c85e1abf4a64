import type { DetectorId, Subject } from '../src/core/types.js';
import type { Detector, DetectorLabel } from './define.js';

export type Lang = 'en' | 'da';

/**
 * The detectors dsr knows, in the order they run and are listed (reports, summaries, the review
 * screen): everything else reads what a detector is, finds, masks and is called from here.
 * `detectors/index.ts` makes the one dsr uses; a test may make its own (see createRegistry).
 */
export class DetectorRegistry {
  readonly list: readonly Detector[];
  readonly ids: readonly DetectorId[];
  /** Detectors of identifiers (see DetectorKind): everyone's values found, other people's counted. */
  readonly identifiers: readonly Detector[];
  /** Detectors of the subject's name (in text and face tags): an inventory runs them only where the surname may be. */
  readonly names: readonly Detector[];
  /**
   * The detector whose values in a message's address headers are its correspondents (see
   * DetectorMeta.correspondents): the scan file's `items[].correspondents` counts them.
   */
  readonly correspondentId: DetectorId | undefined;
  private readonly byId: ReadonlyMap<DetectorId, Detector>;

  constructor(detectors: readonly Detector[]) {
    const byId = new Map<DetectorId, Detector>();
    for (const d of detectors) {
      if (byId.has(d.meta.id)) throw new Error(`detector "${d.meta.id}" registered twice`);
      byId.set(d.meta.id, d);
    }
    this.list = [...detectors];
    this.ids = this.list.map((d) => d.meta.id);
    this.identifiers = this.list.filter((d) => d.meta.kind === 'identifier');
    this.names = this.list.filter((d) => d.meta.kind !== 'identifier');
    const correspondents = this.list.filter((d) => d.meta.correspondents);
    if (correspondents.length > 1) throw new Error('only one detector can count correspondents');
    this.correspondentId = correspondents[0]?.meta.id;
    this.byId = byId;
  }

  get(id: DetectorId): Detector | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** A detector of people tagged in media metadata (kind `face`): such an item is a photo or video of them. */
  isFaceTag(id: DetectorId): boolean {
    return this.byId.get(id)?.meta.kind === 'face';
  }

  /** A detector of the subject's name (see `names`). */
  isName(id: DetectorId): boolean {
    const d = this.byId.get(id);
    return d !== undefined && d.meta.kind !== 'identifier';
  }

  /** A value masked as its detector masks it; a value of a detector not registered here is hidden whole. */
  mask(id: DetectorId, value: string): string {
    return this.byId.get(id)?.mask(value) ?? '***';
  }

  /**
   * A subject profile with every identifier masked, each detector's fields in registry order:
   * `S. K. Ø., s***@example.dk, +4521XXXX87, 1503XX-XXXX`.
   */
  maskProfile(subject: Subject): string {
    const parts: string[] = [];
    for (const d of this.list)
      for (const field of d.meta.profile ?? []) {
        const given = subject[field];
        for (const value of typeof given === 'string' ? [given] : (given ?? [])) parts.push(d.mask(value));
      }
    return [...new Set(parts)].join(', ');
  }

  /** The detector's name for people (a detector not registered here: its id). */
  label(id: DetectorId, lang: Lang = 'en'): DetectorLabel {
    return (
      this.byId.get(id)?.meta.labels[lang] ?? {
        short: id,
        one: `${id} identifier`,
        many: `${id} identifiers`,
        category: id,
      }
    );
  }

  /** A value as people read it. */
  display(id: DetectorId, value: string): string {
    return this.byId.get(id)?.display?.(value) ?? value;
  }

  /** Orders detector ids as the registry lists them (ids not registered last, by name). */
  compare = (a: DetectorId, b: DetectorId): number => {
    const ia = this.rank(a);
    const ib = this.rank(b);
    return ia - ib || (a < b ? -1 : a > b ? 1 : 0);
  };

  private rank(id: DetectorId): number {
    const i = this.ids.indexOf(id);
    return i === -1 ? this.ids.length : i;
  }

  /** Counts per detector in registry order, without zeros. */
  ordered<T extends Partial<Record<DetectorId, number>>>(counts: T): T {
    const out: Partial<Record<DetectorId, number>> = {};
    for (const id of Object.keys(counts).sort(this.compare)) if (counts[id]) out[id] = counts[id];
    return out as T;
  }

  /** `1 CPR number, 2 phone numbers`: counts per detector in words (never values). */
  describeCounts(counts: Partial<Record<DetectorId, number>>, lang: Lang = 'en'): string {
    const parts: string[] = [];
    for (const [id, n] of Object.entries(this.ordered(counts))) {
      const label = this.label(id, lang);
      parts.push(`${n} ${n === 1 ? label.one : label.many}`);
    }
    return parts.join(', ');
  }

  /** `CPR, e-mail or phone`: the short names of some detectors, as a list in running text. */
  listShort(detectors: readonly Detector[], lang: Lang = 'en'): string {
    return listOf(
      detectors.map((d) => d.meta.labels[lang].short),
      lang === 'da' ? 'eller' : 'or',
    );
  }

  /** `e-mail addresses, phone numbers and CPR numbers`: what some detectors find, in running text. */
  listMany(detectors: readonly Detector[], lang: Lang = 'en'): string {
    return listOf(
      detectors.map((d) => d.meta.labels[lang].many),
      lang === 'da' ? 'og' : 'and',
    );
  }
}

function listOf(names: string[], last: string): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${last} ${names[names.length - 1]}`;
}

/** A registry of these detectors, in this order (ids must be unique). */
export function createRegistry(detectors: readonly Detector[]): DetectorRegistry {
  return new DetectorRegistry(detectors);
}
