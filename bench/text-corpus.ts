/**
 * A seeded corpus of plain-text files (prose, CSV, JSON, logs, Markdown) full of fake Danish people,
 * with a few files about the benchmark subject planted at known places. Same seed, same corpus.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakerDA } from '@faker-js/faker';

export const CORPUS_VERSION = 2;

export const BENCH_SUBJECT = {
  name: 'Søren Kjærgaard Østergård',
  aliases: ['Søren K. Østergård'],
  emails: ['soren.ostergard@example.dk'],
  phones: ['+45 21 43 65 87'],
  cpr: ['150387-1236'],
};

export interface CorpusManifest {
  version: number;
  sizeMb: number;
  files: number;
  bytes: number;
  /** Subject findings planted, per detector. */
  planted: Record<'name' | 'email' | 'phone' | 'cpr', number>;
}

export interface Person {
  name: string;
  email: string;
  phone: string;
  cpr: string;
}

/** mulberry32: small, fast, seedable. */
export function rngFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'og i at det en den til er som på de med han af for ikke der var dig jeg sig men et har om vi min ' +
  'havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her alle vil ' +
  'blev kunne ind når være dog noget ville jo deres efter ned skulle denne end dette mit også under ' +
  'have dig hvis hende mellem kunde faktura levering aftale projekt møde budget kontrakt rapport ' +
  'optagelse klip redigering produktion kamera lys lyd sommer kampagne leverance tilbud ordre'
).split(' ');

const CITIES = [
  'Aarhus',
  'Odense',
  'Aalborg',
  'Vejle',
  'Esbjerg',
  'Randers',
  'Kolding',
  'Horsens',
  'Roskilde',
];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function makePeople(rng: () => number, count: number): Person[] {
  fakerDA.seed(42);
  const people: Person[] = [];
  const fold = (s: string) =>
    s
      .toLowerCase()
      .replace(/æ/g, 'ae')
      .replace(/ø/g, 'o')
      .replace(/å/g, 'aa')
      .normalize('NFD')
      .replace(/[^a-z]/g, '');
  while (people.length < count) {
    const first = fakerDA.person.firstName();
    const last = fakerDA.person.lastName();
    // Nobody else may carry the subject's surnames: the name findings must all be planted ones.
    if (/sterg|kj(æ|ae)rgaard/i.test(last)) continue;
    const phone = `${2 + Math.floor(rng() * 8)}${pad(Math.floor(rng() * 10_000_000), 7)}`;
    const cpr = `${pad(1 + Math.floor(rng() * 28))}${pad(1 + Math.floor(rng() * 12))}${pad(Math.floor(rng() * 100))}-${Math.floor(rng() * 4)}${pad(Math.floor(rng() * 1000), 3)}`;
    if (phone === '21436587' || cpr === '150387-1236') continue;
    people.push({
      name: `${first} ${last}`,
      email: `${fold(first)}.${fold(last)}${Math.floor(rng() * 100)}@example.${rng() < 0.5 ? 'dk' : 'com'}`,
      phone,
      cpr,
    });
  }
  return people;
}

export class Writer {
  constructor(
    private readonly rng: () => number,
    private readonly people: Person[],
  ) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rng() * xs.length)];
  }

  person(): Person {
    return this.pick(this.people);
  }

  phone(p: Person): string {
    const d = p.phone;
    const r = this.rng();
    if (r < 0.4) return `+45 ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4, 6)} ${d.slice(6)}`;
    if (r < 0.7) return `${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4, 6)} ${d.slice(6)}`;
    return d;
  }

  sentence(): string {
    const n = 6 + Math.floor(this.rng() * 10);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(this.pick(WORDS));
    const s = words.join(' ');
    return `${s[0].toUpperCase()}${s.slice(1)}.`;
  }

  mention(): string {
    const p = this.person();
    const r = this.rng();
    if (r < 0.35) return `${p.name} deltager også.`;
    if (r < 0.6) return `Kontakt ${p.name} på ${p.email}.`;
    if (r < 0.85) return `Ring til ${p.name} på tlf. ${this.phone(p)}.`;
    return `${p.name}, CPR-nr. ${p.cpr}, er registreret.`;
  }

  paragraph(): string {
    const parts: string[] = [];
    const n = 3 + Math.floor(this.rng() * 4);
    for (let i = 0; i < n; i++) parts.push(this.sentence());
    if (this.rng() < 0.25) parts.splice(Math.floor(this.rng() * parts.length), 0, this.mention());
    return parts.join(' ');
  }

  fill(size: number, header: string, line: () => string, footer = ''): string {
    const out: string[] = [header];
    let len = header.length + footer.length;
    while (len < size) {
      const l = line();
      out.push(l);
      len += l.length;
    }
    out.push(footer);
    return out.join('');
  }

  txt(size: number): string {
    return this.fill(size, '', () => `${this.paragraph()}\n\n`);
  }

  md(size: number): string {
    return this.fill(size, `# ${this.sentence()}\n\n`, () =>
      this.rng() < 0.2 ? `## ${this.sentence()}\n\n` : `${this.paragraph()}\n\n`,
    );
  }

  csv(size: number): string {
    let id = 1000;
    return this.fill(size, 'id;navn;email;telefon;cpr;by;noter\n', () => {
      const p = this.person();
      const notes = `${this.sentence()} ${this.sentence()} ${this.sentence()}`;
      return `${id++};${p.name};${p.email};${this.phone(p)};${p.cpr};${this.pick(CITIES)};${notes}\n`;
    });
  }

  json(size: number): string {
    let id = 1;
    let first = true;
    return this.fill(
      size,
      '{\n  "eksporteret": "2024-04-01T08:00:00Z",\n  "kunder": [\n',
      () => {
        const p = this.person();
        const rec = {
          id: id++,
          navn: p.name,
          email: this.rng() < 0.5 ? p.email : undefined,
          by: this.pick(CITIES),
          note: `${this.sentence()} ${this.sentence()} ${this.sentence()} ${this.sentence()}`,
        };
        const s = `${first ? '' : ',\n'}    ${JSON.stringify(rec)}`;
        first = false;
        return s;
      },
      '\n  ]\n}\n',
    );
  }

  log(size: number): string {
    let t = Date.UTC(2024, 2, 1);
    return this.fill(size, '', () => {
      t += Math.floor(this.rng() * 5000);
      const ts = new Date(t).toISOString();
      const r = this.rng();
      if (r < 0.03)
        return `${ts} INFO  auth: login ok user=${this.person().email} session=s${t.toString(36)}\n`;
      if (r < 0.1)
        return `${ts} WARN  render: job ${Math.floor(this.rng() * 1e5)} slow (${Math.floor(this.rng() * 900)} ms)\n`;
      return `${ts} DEBUG worker: ${this.sentence().toLowerCase()} queue=${Math.floor(this.rng() * 50)}\n`;
    });
  }
}

/** Subject data planted in the corpus: [relative path, content, subject findings it holds]. */
const PLANTS: [string, string, Partial<CorpusManifest['planted']>][] = [
  [
    'personale/kontrakter/ansaettelse-2021.txt',
    'Ansættelseskontrakt for Søren Kjærgaard Østergård, CPR-nr. 150387-1236.\nStilling: klipper.\n',
    { name: 1, cpr: 1 },
  ],
  [
    'personale/medarbejdere.csv',
    'id;navn;email;telefon;cpr;by\n7;Søren K. Østergård;soren.ostergard@example.dk;21 43 65 87;150387-1236;Aarhus\n',
    { name: 1, email: 1, phone: 1, cpr: 1 },
  ],
  [
    'drift/logs/auth-2024-03.log',
    '2024-03-02T10:17:05Z INFO  auth: login ok user=soren.ostergard@example.dk\n2024-03-02T18:40:11Z INFO  auth: logout user=soren.ostergard@example.dk\n',
    { email: 2 },
  ],
  [
    'salg/crm/kunde-1042.json',
    '{"id": 1042, "navn": "Søren Østergård", "telefon": "+45 21 43 65 87", "by": "Aarhus"}\n',
    { name: 1, phone: 1 },
  ],
  [
    'salg/kundekartotek.txt',
    'Kunde: Søren Østergård\nCPR: 010190-1234\nNoter: købte bryllupsvideo 2022.\n',
    { name: 1 },
  ],
];

/** Writes the corpus into `dir` (emptied first) and returns its manifest. */
export function generateTextCorpus(dir: string, sizeMb: number): CorpusManifest {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rng = rngFrom(20240401);
  const w = new Writer(rng, makePeople(rng, 3000));
  const target = sizeMb * 1024 * 1024;
  const manifest: CorpusManifest = {
    version: CORPUS_VERSION,
    sizeMb,
    files: 0,
    bytes: 0,
    planted: { name: 0, email: 0, phone: 0, cpr: 0 },
  };
  const write = (rel: string, content: string) => {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    const buf = Buffer.from(content, 'utf8');
    writeFileSync(path, buf);
    manifest.files++;
    manifest.bytes += buf.length;
  };
  for (const [rel, content, counts] of PLANTS) {
    write(rel, content);
    for (const [k, v] of Object.entries(counts)) manifest.planted[k as keyof CorpusManifest['planted']] += v;
  }
  const kinds: [ext: string, weight: number, make: (size: number) => string][] = [
    ['txt', 0.4, (s) => w.txt(s)],
    ['log', 0.34, (s) => w.log(s)],
    ['md', 0.1, (s) => w.md(s)],
    ['csv', 0.07, (s) => w.csv(s)],
    ['json', 0.09, (s) => w.json(s)],
  ];
  const folders = [
    'salg',
    'personale',
    'drift/logs',
    'projekter',
    'arkiv/2021',
    'arkiv/2022',
    'marketing',
    '.backup',
  ];
  // A few big files (logs, text), never more than a twelfth of the corpus each; registers stay small.
  const hugeMax = Math.max(1, Math.min(24, sizeMb / 12)) * 1024 * 1024;
  let i = 0;
  while (manifest.bytes < target) {
    const r = rng();
    let size =
      r < 0.7
        ? 1024 + rng() * 31 * 1024
        : r < 0.95
          ? 32 * 1024 + rng() * 224 * 1024
          : r < 0.995
            ? 256 * 1024 + rng() * 3840 * 1024
            : hugeMax / 3 + (rng() * hugeMax * 2) / 3;
    let pickAt = rng();
    let kind = kinds[0];
    for (const k of kinds) {
      kind = k;
      pickAt -= k[1];
      if (pickAt < 0) break;
    }
    if (kind[0] === 'csv' || kind[0] === 'json') size = Math.min(size, 256 * 1024);
    size = Math.min(size, hugeMax);
    const folder = `${w.pick(folders)}/${pad(Math.floor(rng() * 12))}`;
    write(`${folder}/${kind[0]}-${pad(i++, 5)}.${kind[0]}`, kind[2](Math.floor(size)));
  }
  return manifest;
}
