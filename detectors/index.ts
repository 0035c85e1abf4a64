import cpr from './cpr.js';
import type { Detector } from './define.js';
import email from './email.js';
import face from './face.js';
import name from './name.js';
import phone from './phone.js';

/** Every text detector, in the order they run. The face detector works on media metadata (src/extract/media). */
export const detectors: readonly Detector[] = [email, phone, cpr, name, face];

export type { DetectContext, DetectInput, Detector, DetectorMeta } from './define.js';
export { cpr, email, face, name, phone };
