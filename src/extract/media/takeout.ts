import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Extractor } from '../api.js';
import { SUPPLEMENTAL, takeoutFormat } from '../formats.js';
import json from '../json/json.js';
import { emitEntries } from './media.js';
import type { MetaEntry } from './tags.js';

/**
 * Google Photos Takeout sidecars: `IMG_1234.jpg.json`, `IMG_1234.jpg.supplemental-metadata.json` and the
 * variants Takeout truncates to fit its 51-character names (`….supplemental-me.json`, `….s.json`).
 * `people[].name` are face tags; the description is ordinary text. A JSON file of another shape is
 * handed to the JSON extractor.
 */
const MAX_SIDECAR_BYTES = 4 * 1024 * 1024;

const takeout: Extractor = {
  ...takeoutFormat,
  async extract(input, ctx) {
    const size = input.source.kind === 'file' ? input.source.size : input.source.data.length;
    if (size > MAX_SIDECAR_BYTES) return json.extract(input, ctx);
    const doc = parseTakeout((await ctx.readAll()).toString('utf8'));
    if (!doc) return json.extract(input, ctx);
    const entries: MetaEntry[] = [];
    doc.people.forEach((name, i) => {
      entries.push({ field: `Takeout people[${i + 1}]`, text: name, faceTag: true });
    });
    if (doc.description)
      entries.push({ field: 'Takeout description', text: doc.description, faceTag: false });
    let image: string | undefined;
    if (input.source.kind === 'file') {
      const dir = dirname(input.source.absPath);
      const byName = imageOfJsonName(input.source.absPath);
      image = [doc.title ? join(dir, doc.title) : undefined, byName].find((p) => p && existsSync(p));
    }
    emitEntries(ctx, entries, image);
  },
};

/** `IMG_1.jpg.json`, `IMG_1.jpg.supplemental-metadata.json`, `IMG_1.jpg.supplem.json` -> `IMG_1.jpg`. */
export function imageOfJsonName(path: string): string {
  const stem = path.replace(/\.json$/i, '');
  const dot = stem.lastIndexOf('.');
  const last = stem.slice(dot);
  return dot > 0 && last.length > 1 && SUPPLEMENTAL.startsWith(last.toLowerCase())
    ? stem.slice(0, dot)
    : stem;
}

interface TakeoutDoc {
  title?: string;
  description?: string;
  people: string[];
}

/** A Takeout sidecar, or undefined for any other JSON (validated, never trusted). */
export function parseTakeout(text: string): TakeoutDoc | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const doc = value as Record<string, unknown>;
  const looksLikeTakeout =
    'photoTakenTime' in doc || 'creationTime' in doc || 'googlePhotosOrigin' in doc || 'people' in doc;
  if (!looksLikeTakeout) return undefined;
  const people = Array.isArray(doc.people)
    ? doc.people
        .map((p) => (typeof p === 'object' && p !== null ? (p as Record<string, unknown>).name : undefined))
        .filter((n): n is string => typeof n === 'string' && n.trim() !== '')
    : [];
  return {
    title: typeof doc.title === 'string' && !/[\\/]/.test(doc.title) ? doc.title : undefined,
    description: typeof doc.description === 'string' && doc.description.trim() ? doc.description : undefined,
    people,
  };
}

export default takeout;
