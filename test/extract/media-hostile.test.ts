import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { CLI, PROJECT, tempTree, writeSubject } from '../helpers/cli.js';

/** Hostile media end to end: the built CLI and real exiftool, then a check for orphan perl processes. */
const MEDIA = join(PROJECT, 'fixtures/media');
/** A QuickTime video with a face region: read by exiftool (photos with plain XMP, EXIF or IPTC are read natively). */
const forExiftool = () => readFileSync(join(MEDIA, 'region.mov'));
/** Its finding: detector and field. */
const FIELD = ['face', 'XMP-mwg-rs RegionList[2]'] as const;

/** exiftool processes started by the dsr process `pid` (dsr marks them with DSR_PARENT_PID). */
function exiftoolsOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (env.split('\0').includes(`DSR_PARENT_PID=${pid}`)) out.push(Number(entry));
    } catch {
      // gone or not ours to read
    }
  }
  return out;
}

/** A JPEG whose EXIF IFD0 is its own next IFD and its own Exif IFD, with an Artist past the end of the block. */
function loopingExifJpeg(): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 3 * 12 + 4 + 24);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(3, 8);
  const entry = (i: number, tag: number, type: number, count: number, value: number) => {
    tiff.writeUInt16LE(tag, 10 + i * 12);
    tiff.writeUInt16LE(type, 12 + i * 12);
    tiff.writeUInt32LE(count, 14 + i * 12);
    tiff.writeUInt32LE(value, 18 + i * 12);
  };
  entry(0, 0x013b, 2, 19, 50); // Artist (18 bytes of UTF-8 and a NUL), in bounds
  entry(1, 0x8298, 2, 4000, 0x7ffffff0); // Copyright, far out of bounds
  entry(2, 0x8769, 4, 1, 8); // Exif IFD = IFD0 (a loop)
  tiff.writeUInt32LE(8, 46); // next IFD = IFD0 (a loop)
  tiff.write('Søren Østergård', 50, 'utf8');
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(payload.length + 2, 2);
  const plain = readFileSync(join(MEDIA, 'negative/untagged.jpg'));
  return Buffer.concat([plain.subarray(0, 2), app1, payload, plain.subarray(2)]);
}

function scanDir(dir: string): { code: number; scan: ScanFile; pid: number; stderr: string } {
  const out = join(dir, 'scan.json');
  const r = spawnSync(
    process.execPath,
    [CLI, 'scan', join(dir, 'photos'), '--subject', writeSubject(dir), '--out', out],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return {
    code: r.status ?? -1,
    scan: JSON.parse(readFileSync(out, 'utf8')),
    pid: r.pid ?? -1,
    stderr: r.stderr,
  };
}

describe('hostile media', () => {
  it('turns broken files into error entries, reads odd names, and leaves no exiftool behind', () => {
    const mp4 = readFileSync(join(MEDIA, 'region.mp4'));
    const dir = tempTree({
      'photos/empty.jpg': '',
      'photos/looping-exif.jpg': loopingExifJpeg(),
      'photos/truncated.mp4': mp4.subarray(0, Math.floor(mp4.length / 2)),
      'photos/not-a-jpeg.jpg': Buffer.from('this is not a JPEG at all, only text with Søren Østergård'),
      'photos/bad-segment.jpg': Buffer.concat([
        Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]),
        Buffer.alloc(40),
      ]),
      'photos/-rf.mov': forExiftool(),
      'photos/--help.mp4': mp4,
      // A tagged photo inside an archive: exiftool reads it from a private temporary copy.
      'photos/album.zip': zipSync({ 'ferie/IMG_0001.mov': new Uint8Array(forExiftool()) }),
    });
    const { code, scan, pid, stderr } = scanDir(dir);
    expect(stderr).toBe('');
    expect(code).toBe(3);
    const name = (p: string) => p.slice(join(dir, 'photos').length + 1);
    expect(scan.scanned?.map(name).sort()).toEqual(
      [
        '--help.mp4',
        '-rf.mov',
        'album.zip',
        'bad-segment.jpg',
        'empty.jpg',
        'looping-exif.jpg',
        'not-a-jpeg.jpg',
        'truncated.mp4',
      ].sort(),
    );
    const found = scan.findings
      .map(
        (f) =>
          `${name(f.path)}${f.itemPath.map((i) => ` > ${i}`).join('')} ${f.detector} ${f.location.field}`,
      )
      .sort();
    expect(found).toEqual([
      '--help.mp4 face XMP-mwg-rs RegionList[2]',
      // XPAuthor is read by exiftool only: these names reached it safely.
      `-rf.mov ${FIELD.join(' ')}`,
      `album.zip > member ferie/IMG_0001.mov ${FIELD.join(' ')}`,
      // exiftool reads the Artist of the looping IFD once.
      'looping-exif.jpg name IFD0 Artist',
      // A text file named .jpg is read as text.
      'not-a-jpeg.jpg name body',
    ]);
    const errors = scan.errors.map((e) => `${name(e.path)} ${e.kind}`).sort();
    expect(errors).toEqual([
      'bad-segment.jpg corrupt',
      'empty.jpg corrupt',
      'looping-exif.jpg corrupt',
      'truncated.mp4 corrupt',
    ]);
    for (const e of scan.errors) expect(e.message.length).toBeGreaterThan(5);
    expect(exiftoolsOf(pid)).toEqual([]);
  }, 120_000);

  it('reads a photo whose name holds a line break (exiftool takes names one per line)', () => {
    const dir = tempTree({ 'photos/line\nbreak.mov': forExiftool() });
    const file = join(dir, 'photos/line\nbreak.mov');
    const out = join(dir, 'scan.json');
    const r = spawnSync(process.execPath, [CLI, 'scan', file, '--subject', writeSubject(dir), '--out', out], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(0);
    const scan: ScanFile = JSON.parse(readFileSync(out, 'utf8'));
    expect(scan.findings.map((f) => [f.path, f.detector, f.location.field]).sort()).toEqual([
      [file, ...FIELD],
    ]);
    expect(exiftoolsOf(r.pid ?? -1)).toEqual([]);
  }, 120_000);

  it('ends its exiftool processes after Ctrl-C (SIGINT) in the middle of a scan', async () => {
    const files: Record<string, Buffer> = {};
    const photo = forExiftool();
    for (let i = 0; i < 400; i++) files[`photos/p${i}.mov`] = photo;
    const dir = tempTree(files);
    const out = join(dir, 'scan.json');
    const child = spawn(
      process.execPath,
      [CLI, 'scan', join(dir, 'photos'), '--subject', writeSubject(dir), '--out', out],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    const pid = child.pid!;
    let seen = 0;
    for (let i = 0; i < 600 && !seen; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = exiftoolsOf(pid).length;
    }
    expect(seen).toBeGreaterThan(0);
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(3);
    expect(existsSync(out)).toBe(true);
    expect(JSON.parse(readFileSync(out, 'utf8')).interrupted).toBe(true);
    expect(exiftoolsOf(pid)).toEqual([]);
  }, 120_000);

  it('does not orphan exiftool when dsr itself is killed (SIGKILL: no cleanup code runs)', async () => {
    const files: Record<string, Buffer> = {};
    const photo = forExiftool();
    for (let i = 0; i < 300; i++) files[`photos/p${i}.mov`] = photo;
    const dir = tempTree(files);
    const child = spawn(
      process.execPath,
      [CLI, 'scan', join(dir, 'photos'), '--subject', writeSubject(dir)],
      {
        stdio: 'ignore',
        cwd: dir,
      },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const pid = child.pid!;
    let perls: number[] = [];
    for (let i = 0; i < 600 && !perls.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      perls = exiftoolsOf(pid);
    }
    expect(perls.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await exited;
    let left = perls;
    for (let i = 0; i < 40 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = exiftoolsOf(pid);
    }
    expect(left).toEqual([]);
  }, 120_000);

  it('replaces an exiftool process that dies in the middle of a scan', async () => {
    const files: Record<string, Buffer> = {};
    const photo = forExiftool();
    for (let i = 0; i < 300; i++) files[`photos/p${i}.mov`] = photo;
    const dir = tempTree(files);
    const out = join(dir, 'scan.json');
    const child = spawn(
      process.execPath,
      [CLI, 'scan', join(dir, 'photos'), '--subject', writeSubject(dir), '--out', out],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    let perls: number[] = [];
    for (let i = 0; i < 600 && !perls.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      perls = exiftoolsOf(child.pid!);
    }
    expect(perls.length).toBeGreaterThan(0);
    process.kill(perls[0], 'SIGKILL');
    expect([0, 3]).toContain(await exited);
    const scan: ScanFile = JSON.parse(readFileSync(out, 'utf8'));
    // Every photo is either found or, if it was being read by the killed process, an error entry.
    expect(scan.stats.files).toBe(300);
    expect(scan.items.length + scan.errors.length).toBeGreaterThanOrEqual(300);
    expect(scan.errors.length).toBeLessThanOrEqual(2);
    expect(scan.items.length).toBeGreaterThanOrEqual(298);
    expect(exiftoolsOf(child.pid!)).toEqual([]);
  }, 120_000);
});
