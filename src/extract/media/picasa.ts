import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { ItemInput } from '../../core/types.js';
import type { Extractor } from '../api.js';
import { picasaFormat } from '../formats.js';
import text from '../text/text.js';
import { emitEntries } from './media.js';
import { type MetaEntry, type Region, rect } from './tags.js';

/**
 * Picasa's per-folder face tags: `.picasa.ini` sections name an image and list
 * `faces=rect64(<16 hex digits>),<contact id>;…`; contact ids resolve through the file's `[Contacts2]`
 * section or a Picasa `contacts.xml` (in the same folder, an ancestor folder up to the scan root, or
 * their `contacts/` subfolder). Other `.ini` files are read as plain text.
 */
const picasa: Extractor = {
  ...picasaFormat,
  async extract(input, ctx) {
    if (!/^\.?picasa\.ini$/i.test(input.name)) return text.extract(input, ctx);
    const ini = (await ctx.readAll()).toString('utf8');
    const sections = parseIni(ini);
    const contacts = new Map<string, string>();
    for (const [id, value] of sections.get('Contacts2') ?? [])
      contacts.set(id.toLowerCase(), value.split(';')[0]);
    if (input.source.kind === 'file') {
      for (const [id, name] of await contactsXml(input)) if (!contacts.has(id)) contacts.set(id, name);
    }
    const dir = input.source.kind === 'file' ? dirname(input.source.absPath) : undefined;
    for (const [section, entries] of sections) {
      if (section === 'Contacts2' || section === 'Picasa' || section === 'encoding') continue;
      const faces = entries.find(([k]) => k.toLowerCase() === 'faces')?.[1];
      if (!faces) continue;
      const found: MetaEntry[] = [];
      facesOf(faces).forEach((f, i) => {
        const name = contacts.get(f.contact);
        if (!name) return;
        found.push({
          field: `Picasa [${section}] faces[${i + 1}]`,
          text: name,
          faceTag: true,
          ...(f.region ? { region: f.region } : {}),
        });
      });
      emitEntries(ctx, found, dir ? join(dir, section) : undefined);
    }
  },
};

/** Sections in file order, each a list of key/value pairs. */
export function parseIni(ini: string): Map<string, [string, string][]> {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | undefined;
  for (const raw of ini.replace(/^\ufeff/, '').split(/\r?\n/)) {
    const line = raw.trim();
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      current = sections.get(head[1]) ?? [];
      sections.set(head[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) current.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  return sections;
}

export function facesOf(value: string): { contact: string; region?: Region }[] {
  const out: { contact: string; region?: Region }[] = [];
  for (const part of value.split(';')) {
    const m = /^\s*rect64\(([0-9a-f]{1,16})\)\s*,\s*([0-9a-f]+)\s*$/i.exec(part);
    if (m) out.push({ contact: m[2].toLowerCase(), region: rect64(m[1]) });
  }
  return out;
}

/** rect64: four 16-bit fractions (left, top, right, bottom) of 65535, written as up to 16 hex digits. */
export function rect64(hex: string): Region | undefined {
  const h = hex.padStart(16, '0');
  const [l, t, r, b] = [0, 4, 8, 12].map((i) => Number.parseInt(h.slice(i, i + 4), 16) / 65535);
  return rect(l, t, r - l, b - t);
}

async function contactsXml(input: ItemInput): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (input.source.kind !== 'file') return out;
  let dir = dirname(input.source.absPath);
  const root = input.root ?? dir;
  for (let depth = 0; depth < 32; depth++) {
    for (const candidate of [join(dir, 'contacts.xml'), join(dir, 'contacts', 'contacts.xml')]) {
      const xml = await readFile(candidate, 'utf8').catch(() => undefined);
      if (!xml) continue;
      for (const m of xml.matchAll(/<contact\b([^>]*)>/g)) {
        const id = /\bid="([0-9a-fA-F]+)"/.exec(m[1])?.[1];
        const name = /\bname="([^"]*)"/.exec(m[1])?.[1];
        if (id && name && !out.has(id.toLowerCase())) out.set(id.toLowerCase(), decodeXml(name));
      }
    }
    const parent = dirname(dir);
    if (parent === dir || relative(root, dir) === '' || relative(root, dir).startsWith('..')) break;
    dir = parent;
  }
  return out;
}

function decodeXml(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export default picasa;
