import type { Candidate } from '../src/core/types.js';
import type { NameHit } from '../src/match/names.js';
import { defineDetector } from './define.js';

/**
 * The subject's name as a person tagged in media metadata: face regions (MWG, Microsoft Photo),
 * IPTC PersonInImage, people keywords, Picasa faces, Google Takeout people. Extractors mark those
 * texts as face tags (one person per chunk, with the region in `location`); name matching is the
 * same as for text, so `Søren Østergård` matches and `Karen Østergård` or `Østergård` alone do not.
 */
export default defineDetector({
  meta: {
    id: 'face',
    description:
      "The subject's name in face-tagged media metadata (XMP MWG and Microsoft Photo regions, IPTC PersonInImage, Lightroom/digiKam People keywords, keywords, XMP sidecars, Picasa, Google Takeout), with the face rectangle when there is one.",
    keywords: [],
  },
  detect(chunk, { subject }) {
    if (!chunk.faceTag || !subject.names.length) return [];
    const hits: NameHit[] = [];
    for (const matcher of subject.names) hits.push(...matcher.find(chunk.text));
    if (!hits.length) return [];
    // One tag names one person: the widest hit of the name and its aliases stands for it.
    const best = hits.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
    const candidate: Candidate = {
      detector: 'face',
      start: best.start,
      end: best.end,
      value: chunk.text.slice(best.start, best.end).replace(/[\s\u00a0]+/gu, ' '),
      subject: true,
      confidence: best.confidence,
      matched: best.matched,
      ...(chunk.location ? { location: chunk.location } : {}),
    };
    return [candidate];
  },
});
