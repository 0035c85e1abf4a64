import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { runCli, tempTree, writeSubject } from '../helpers/cli.js';

/**
 * File and folder names that are not valid UTF-8 (Latin-1 names from an old Samba share): scanned,
 * shown escaped, and acted on by plan and erase through their exact bytes.
 */
const raw = (dir: string, ...parts: (string | number[])[]) =>
  Buffer.concat([
    Buffer.from(`${dir}/`),
    ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))),
  ]);

/** s<0xF8>ren.txt and s<0xE6>ren.txt (Latin-1 ø and æ), S<0xF8>ren-mappe/kontrakt.txt, and a UTF-8 file. */
function latin1Tree(): string {
  const dir = tempTree({ 'andre.txt': 'Mette Hansen, tlf. 87 65 43 21\n' });
  writeFileSync(raw(dir, 's', [0xf8], 'ren.txt'), 'Navn: Mette Hansen\nCPR 150387-1236\nAndet: intet\n');
  writeFileSync(raw(dir, 's', [0xe6], 'ren.txt'), 'CPR 150387-1236 alene\n');
  mkdirSync(raw(dir, 'S', [0xf8], 'ren-mappe'));
  writeFileSync(raw(dir, 'S', [0xf8], 'ren-mappe/kontrakt.txt'), 'Kontakt: soren.ostergard@example.dk\n');
  return dir;
}

/** Every file under `dir` as `name (bytes in hex where not ASCII) => content`. */
function contents(
  dir: Buffer | string,
  out: Record<string, string> = {},
  prefix = '',
): Record<string, string> {
  for (const e of readdirSync(dir, { encoding: 'buffer', withFileTypes: true })) {
    const name = e.name as unknown as Buffer;
    const shown =
      prefix + [...name].map((b) => (b < 0x80 ? String.fromCharCode(b) : `<${b.toString(16)}>`)).join('');
    const path = Buffer.concat([Buffer.from(dir), Buffer.from('/'), name]);
    if (e.isDirectory()) contents(path, out, `${shown}/`);
    else out[shown] = readFileSync(path, 'utf8');
  }
  return out;
}

function scan(root: string): { code: number; scan: ScanFile; stdout: string; out: string; text: string } {
  const work = tempTree();
  const out = join(work, 'scan.json');
  const r = runCli(['scan', root, '--subject', writeSubject(work), '--out', out, '--no-progress']);
  if (r.code !== 0 && r.code !== 3) throw new Error(`dsr scan exit ${r.code}: ${r.stderr}`);
  const text = readFileSync(out, 'utf8');
  return { code: r.code, scan: JSON.parse(text), stdout: r.stdout, out, text };
}

describe('names that are not valid UTF-8 (built CLI)', () => {
  it('a Latin-1 file name and folder name are listed, walked and searched, shown escaped (exit 0)', () => {
    const root = latin1Tree();
    const { code, scan: s, stdout, text } = scan(root);
    expect(s.errors).toEqual([]);
    expect(code).toBe(0);
    expect(s.stats.files).toBe(4);
    expect(stdout).toContain('Searched 4 files');
    // The scan file holds each byte exactly, as a lone surrogate U+DC80+byte (JSON: \udcf8).
    expect(s.items.map((i) => i.path.slice(root.length + 1)).sort()).toEqual([
      'S\udcf8ren-mappe/kontrakt.txt',
      's\udce6ren.txt',
      's\udcf8ren.txt',
    ]);
    expect(text).toContain('s\\udcf8ren.txt');
    expect(new Set(s.items.map((i) => i.id)).size).toBe(3);
    // People see the byte escaped, never a U+FFFD.
    expect(stdout).toContain('s\\xF8ren.txt');
    expect(stdout).not.toContain('\ufffd');
  });

  it('plan and erase --execute redact exactly those files, through their real names, and touch nothing else', () => {
    const root = latin1Tree();
    const { out } = scan(root);
    const plan = join(tempTree(), 'plan.json');
    expect(runCli(['plan', out, '--out', plan]).code).toBe(0);
    expect(runCli(['plan', plan, '--approve', '--approved-by', 'Test Person']).code).toBe(0);
    const r = runCli(['erase', plan, '--execute']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 action(s): done 3');
    expect(r.stdout).toContain('s\\xF8ren.txt');
    expect(contents(root)).toEqual({
      'andre.txt': 'Mette Hansen, tlf. 87 65 43 21\n',
      's<f8>ren.txt': 'Navn: Mette Hansen\nCPR [REDACTED-CPR]\nAndet: intet\n',
      's<e6>ren.txt': 'CPR [REDACTED-CPR] alene\n',
      'S<f8>ren-mappe/kontrakt.txt': 'Kontakt: [REDACTED-EMAIL]\n',
    });
  });

  it('a zip member named in a DOS code page (no UTF-8 flag) is read under its real name', () => {
    // "Søren Kjærgaard Østergård.txt" in CP850, as Windows' own zip writes it: ø 0x9B, æ 0x91, Ø 0x9D, å 0x86.
    const name = Buffer.from([
      ...Buffer.from('S'),
      0x9b,
      ...Buffer.from('ren Kj'),
      0x91,
      ...Buffer.from('rgaard '),
      0x9d,
      ...Buffer.from('sterg'),
      0x86,
      ...Buffer.from('rd.txt'),
    ]);
    const dir = tempTree({ 'gammel.zip': storedZip(name, Buffer.from('Ingen identifikatorer her.\n')) });
    const { scan: s } = scan(dir);
    expect(s.errors).toEqual([]);
    expect(s.items.map((i) => i.itemPath)).toEqual([['member Søren Kjærgaard Østergård.txt']]);
    expect(s.findings.map((f) => `${f.detector} ${f.location.field}`)).toEqual(['name path']);
  });
});

/** A zip of one deflated member whose name bytes are written as given, general-purpose flags 0. */
function storedZip(name: Buffer, data: Buffer): Buffer {
  const comp = deflateRawSync(data);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(comp.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(comp.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  const cdOffset = local.length + name.length + comp.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, name, comp, central, name, end]);
}

function crc32(data: Buffer): number {
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
