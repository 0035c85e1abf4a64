import { describe, expect, it } from 'vitest';
import type { Detector } from '../../detectors/define.js';
import { face, name } from '../../detectors/index.js';
import { subjectOf, testDetector } from '../helpers/detector-tester.js';

/** The face detector reads only texts that the media extractors mark as face tags. */
const onFaceTag: Detector = {
  ...face,
  detect: (chunk, ctx) => face.detect({ ...chunk, faceTag: true }, ctx),
};

// The shared subject: Søren Kjærgaard Østergård, alias Søren K. Østergård.
testDetector(onFaceTag, {
  found: [
    { text: 'Søren Østergård', findings: [{ start: 0, end: 15, value: 'Søren Østergård' }] },
    {
      text: 'Søren Kjærgaard Østergård',
      findings: [{ start: 0, end: 25, value: 'Søren Kjærgaard Østergård' }],
    },
    { text: 'Søren K. Østergård', findings: [{ start: 0, end: 18, value: 'Søren K. Østergård' }] },
    { text: 'Soeren Oestergaard', findings: [{ start: 0, end: 18, value: 'Soeren Oestergaard' }] },
    { text: 'SOREN OSTERGAARD', findings: [{ start: 0, end: 16, value: 'SOREN OSTERGAARD' }] },
    { text: 'Østergård, Søren', findings: [{ start: 0, end: 16, value: 'Østergård, Søren' }] },
  ],
  none: [
    'Karen Østergård',
    'Østergård',
    'Søren',
    'Søren Jensen',
    'Østergård Allé',
    'Søren Østergård Allé',
    '',
  ],
});

describe('face detector', () => {
  const subject = subjectOf();

  it('ignores text that is not a face tag (author fields, body text)', () => {
    expect(face.detect({ text: 'Søren Østergård' }, { subject, all: false })).toEqual([]);
  });

  it('carries the region and field of the tag', () => {
    const location = { field: 'XMP-mwg-rs RegionList[2]', region: { x: 0.4, y: 0.25, w: 0.2, h: 0.3 } };
    const [c] = face.detect({ text: 'Søren Østergård', faceTag: true, location }, { subject, all: false });
    expect(c).toMatchObject({ detector: 'face', subject: true, value: 'Søren Østergård', location });
  });

  it('finds nothing without a subject name', () => {
    const noName = subjectOf({ emails: ['soren.ostergard@example.dk'] });
    expect(face.detect({ text: 'Søren Østergård', faceTag: true }, { subject: noName, all: true })).toEqual(
      [],
    );
  });

  it('is the only detector for face tags: name skips them', () => {
    expect(name.detect({ text: 'Søren Østergård', faceTag: true }, { subject, all: false })).toEqual([]);
    expect(name.detect({ text: 'Søren Østergård' }, { subject, all: false })).toHaveLength(1);
  });
});
