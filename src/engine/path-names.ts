import { type DetectorRegistry, registry as detectors } from '../../detectors/index.js';
import type { Finding } from '../core/types.js';

/**
 * A name found in a file or member name: the scan writer keeps it (ScanWriter.addFinding) so that
 * terminal output can mask paths named after the subject.
 */
export function isPathName(
  f: Pick<Finding, 'detector' | 'location'>,
  registry: DetectorRegistry = detectors,
): boolean {
  return f.location.field === 'path' && registry.isName(f.detector);
}
