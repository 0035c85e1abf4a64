/**
 * A huge zip whose members both workers read, in parts planned from its directory by the main thread
 * (see `planZip` and readZipInParts): the scan file must be the one a single read gives.
 */
import { gzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { tempTree } from '../helpers/cli.js';
import { seededRandom } from '../helpers/random.js';
import {
  CONTAINER_ONE_READ as ONE_READ,
  SCAN_MODES,
  CONTAINER_SPLIT as SPLIT,
  scanShared,
} from '../helpers/scan-shared.js';

const KiB = 1024;
const enc = (s: string) => new TextEncoder().encode(s);

/** A seeded fraction in [0, 1): the same inputs on every run. */
function random(seed: number): () => number {
  const next = seededRandom(seed);
  return () => next(1 << 23) / (1 << 23);
}

/** Members of every kind: text with people in it, a nested zip and .gz, a stored one, folders. */
function archive(count: number, seed: number, nested = true): Uint8Array {
  const rnd = random(seed);
  const files: Parameters<typeof zipSync>[0] = {};
  for (let m = 0; m < count; m++) {
    let text = '';
    for (let r = 0; r < 20; r++) {
      const n = Math.floor(rnd() * 1e8);
      text += `${n};kunde${n}@example.com;2${String(n).slice(0, 7).padStart(7, '0')};0101${50 + (n % 40)}-${1000 + (n % 9000)}\n`;
    }
    if (m % 17 === 0) text += 'Søren Kjærgaard Østergård, 150387-1236, soren.ostergard@example.dk\n';
    if (m % 23 === 0) text += 'Søren Østergård står ved 020340-1234\n';
    const name = `sager/${m % 10}/sag-${m}.csv`;
    if (nested && m % 50 === 7) files[`sager/${m}.zip`] = zipSync({ 'inde.txt': enc(text) });
    else if (nested && m % 50 === 9) files[`sager/${m}.csv.gz`] = gzipSync(enc(text));
    else if (m % 50 === 11) files[name] = [enc(text), { level: 0 }];
    else files[name] = enc(text);
  }
  return zipSync(files);
}

describe('a huge zip read in parts by both workers', () => {
  it.each(SCAN_MODES)(
    '%s gives what one read gives: members, nested archives, findings, evidence',
    async (_, opts) => {
      const dir = tempTree({ 'eksport.zip': archive(400, 1), 'Søren Østergård.zip': archive(200, 2) });
      const split = await scanShared(dir, SPLIT, opts);
      const one = await scanShared(dir, ONE_READ, opts);
      expect(split.parts['eksport.zip']).toBeGreaterThan(7);
      expect(split.parts['Søren Østergård.zip']).toBeGreaterThan(3);
      expect(one.parts).toEqual({ 'eksport.zip': 1, 'Søren Østergård.zip': 1 });
      expect(split.findings.length).toBeGreaterThan(opts.all ? 5000 : 60);
      expect(one.findings.filter((f) => f.location.field === 'path')).toHaveLength(1);
      expect(split).toEqual({ ...one, parts: split.parts });
    },
    60_000,
  );

  it('stops where the members inflate past --max-inflated-bytes, and at --max-members, as one read does', async () => {
    // Without archives inside: what those inflate is known to later parts only once merged, so
    // parts read at once may read a few members more before the budget stops them (see readZipInParts).
    const dir = tempTree({ 'a.zip': archive(400, 3, false), 'b.zip': archive(400, 4, false) });
    const budget = { maxInflatedBytes: 300 * KiB };
    const split = await scanShared(dir, SPLIT, { all: true, limits: budget });
    const one = await scanShared(dir, ONE_READ, { all: true, limits: budget });
    expect(split.parts['a.zip']).toBeGreaterThan(3);
    expect(one.errors.map((e) => (e as { message: string }).message)).toEqual([
      expect.stringContaining('--max-inflated-bytes'),
      expect.stringContaining('--max-inflated-bytes'),
    ]);
    expect(split).toEqual({ ...one, parts: split.parts });
    const members = await scanShared(dir, SPLIT, { all: true, limits: { maxMembers: 250 } });
    const membersOne = await scanShared(dir, ONE_READ, { all: true, limits: { maxMembers: 250 } });
    expect(members.errors).toHaveLength(2);
    expect(members).toEqual({ ...membersOne, parts: members.parts });
    // Four scans of 800 members with --all: 41 s seen on a loaded 2-core machine.
  }, 180_000);

  it('reads an Office package and a broken zip the usual way', async () => {
    const dir = tempTree({
      'rapport.docx': zipSync({
        'word/document.xml': enc(
          '<w:document><w:body><w:p><w:r><w:t>Søren Østergård</w:t></w:r></w:p></w:body></w:document>',
        ),
        ...Object.fromEntries(
          Array.from({ length: 300 }, (_, i) => [
            `word/media/x${i}.bin`,
            [random(i)().toString().repeat(400), { level: 0 }],
          ]).map(([k, v]) => [k, [enc((v as [string])[0]), { level: 0 }]]),
        ),
      }),
      'brudt.zip': (() => {
        const whole = archive(300, 5);
        return whole.subarray(0, Math.floor(whole.length * 0.7));
      })(),
    });
    const split = await scanShared(dir, SPLIT, { all: false });
    const one = await scanShared(dir, ONE_READ, { all: false });
    expect(split.parts).toEqual({ 'rapport.docx': 1, 'brudt.zip': 1 });
    expect(split).toEqual(one);
  }, 60_000);
});
