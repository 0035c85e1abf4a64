import type { Candidate, Chunk, DetectorId } from '../src/core/types.js';
import type { CompiledSubject } from '../src/match/subject.js';

export interface DetectorMeta {
  id: DetectorId;
  description: string;
  /** Cheap anchors; a chunk containing none of them (case-insensitive) cannot hold a candidate. Empty: always run. */
  keywords: string[];
  /** Context words that raise or lower confidence (inventory mode). */
  context?: { raise?: string[]; lower?: string[] };
}

export interface DetectContext {
  subject: CompiledSubject;
  /** Inventory mode: report every plausible identifier, not only the subject's. */
  all: boolean;
}

export type DetectInput = Pick<Chunk, 'text'> &
  Partial<Pick<Chunk, 'structured' | 'field' | 'location' | 'faceTag'>>;

export interface Detector {
  meta: DetectorMeta;
  /** Pure: no I/O, no printing. Returns candidates with offsets into `chunk.text`. */
  detect(chunk: DetectInput, ctx: DetectContext): Candidate[];
}

export function defineDetector(detector: Detector): Detector {
  return detector;
}

/** Lower-cased text of up to `width` characters before `start`, for context-word checks. */
export function textBefore(text: string, start: number, width: number): string {
  return text.slice(Math.max(0, start - width), start).toLowerCase();
}

export function clampConfidence(c: number): number {
  return Math.round(Math.min(0.99, Math.max(0.05, c)) * 100) / 100;
}
