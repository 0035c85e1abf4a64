import type { Candidate } from '../src/core/types.js';
import type { NameHit } from '../src/match/names.js';
import { defineDetector } from './define.js';
import { maskName, nameAnchors, nameTokens, nameWritten } from './name.js';

/**
 * The subject's name as a person tagged in media metadata: face regions (MWG, Microsoft Photo),
 * IPTC PersonInImage, people keywords, Picasa faces, Google Takeout people. Extractors mark those
 * texts as face tags (one person per chunk, with the region in `location`); name matching is the
 * same as for text, so `Søren Østergård` matches and `Karen Østergård` or `Østergård` alone do not.
 */
export default defineDetector({
  meta: {
    id: 'face',
    kind: 'face',
    description:
      "The subject's name in face-tagged media metadata (XMP MWG and Microsoft Photo regions, IPTC PersonInImage, Lightroom/digiKam People keywords, keywords, XMP sidecars, Picasa, Google Takeout), with the face rectangle when there is one.",
    keywords: [],
    labels: {
      en: { short: 'face tag', one: 'face tag', many: 'face tags', category: 'Photos and video' },
      da: {
        short: 'ansigtsmærke',
        one: 'ansigtsmærke',
        many: 'ansigtsmærker',
        category: 'Billeder og video',
      },
    },
    color: '#d08a1e',
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
  mask: maskName,
  // A tag names the person in the whole photo: another person's CPR number anywhere in it tells a namesake.
  evidence: { subject: 'possible', names: 'item' },
  anchors: nameAnchors,
  indexTokens: nameTokens,
  written: nameWritten,
});
