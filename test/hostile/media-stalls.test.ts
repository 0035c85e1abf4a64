import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { parseXml, readXmpTags } from '../../src/extract/media/xmp.js';
import { runCli, SUBJECT, tempTree, writeSubject } from '../helpers/cli.js';
import { jpegWithDeepXmp, jpegWithHugeExtendedXmp } from '../helpers/hostile-files.js';

describe('photos that stall exiftool', () => {
  it('are `timeout` errors within the time limit, and the face tags dsr reads itself are still found', () => {
    const dir = tempTree();
    writeFileSync(join(dir, 'extended.jpg'), jpegWithHugeExtendedXmp(SUBJECT.name, 60 * 1024 * 1024));
    writeFileSync(join(dir, 'deep.jpg'), jpegWithDeepXmp(SUBJECT.name, 8000));
    const out = join(tempTree(), 'scan.json');
    // The default item limit (60 s): exiftool gets 10 s of it, where it needs tens of seconds.
    const r = runCli(['scan', dir, '--subject', writeSubject(tempTree()), '--out', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(3);
    const scan = JSON.parse(readFileSync(out, 'utf8')) as ScanFile;
    expect(scan.errors.map((e) => `${basename(e.path)} ${e.kind}`).sort()).toEqual([
      'deep.jpg timeout',
      'extended.jpg timeout',
    ]);
    expect(scan.errors.every((e) => /exiftool did not answer within 10 s/.test(e.message))).toBe(true);
    expect(
      scan.findings
        .filter((f) => f.detector === 'face')
        .map((f) => `${basename(f.path)} ${f.value}`)
        .sort(),
    ).toEqual([`deep.jpg ${SUBJECT.name}`, `extended.jpg ${SUBJECT.name}`]);
  }, 60_000);

  it("dsr's own XMP reader takes 8,000 levels without recursion, and reaches what is not nested too deep", () => {
    const deep = `${'<a>'.repeat(8000)}x${'</a>'.repeat(8000)}`;
    expect(() => parseXml(deep)).toThrow(/too deep/);
    expect(parseXml(deep, { reachable: true }).children).toHaveLength(1);
    const packet = jpegWithDeepXmp(SUBJECT.name, 8000).toString('utf8');
    const xmp = packet.slice(packet.indexOf('<?xpacket'), packet.indexOf("<?xpacket end='w'?>") + 19);
    expect(() => readXmpTags([xmp])).toThrow();
    expect(readXmpTags([xmp], { reachable: true })['XMP-iptcExt:PersonInImage']).toEqual([SUBJECT.name]);
  });
});
