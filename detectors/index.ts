import cpr from './cpr.js';
import email from './email.js';
import face from './face.js';
import name from './name.js';
import phone from './phone.js';
import { createRegistry } from './registry.js';

/**
 * Every detector dsr runs, in the order they run and are listed. The face detector reads the face tags
 * of media metadata (src/extract/media); the others every text.
 */
export const registry = createRegistry([name, email, phone, cpr, face]);

export type {
  Conceal,
  DetectContext,
  DetectInput,
  Detector,
  DetectorKind,
  DetectorLabel,
  DetectorMeta,
  EvidenceRules,
  RawAnchor,
  SubjectAnchors,
} from './define.js';
export { createRegistry, DetectorRegistry, type Lang } from './registry.js';
export { cpr, email, face, name, phone };
