import { describe, expect, it } from 'vitest';
import { runScan, type ScanProgress } from '../../../src/engine/scan.js';
import { SUBJECT, tempTree } from '../../helpers/cli.js';

describe('scan progress: what the walk has found', () => {
  it('counts the files and bytes found, and says when the walk has ended', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`d${i % 3}/f${i}.txt`] = `fil ${i} ${'x'.repeat(i * 10)}\n`;
    const total = Object.values(files).reduce((n, t) => n + Buffer.byteLength(t), 0);
    const dir = tempTree(files);
    const seen: ScanProgress[] = [];
    await runScan({ roots: [dir], subject: SUBJECT, inProcess: true, onProgress: (p) => seen.push(p) });
    const last = seen.at(-1)!;
    expect(last.walk).toEqual({ files: 30, bytes: total, done: true });
    expect(last.files).toBe(30);
    // Found never falls behind read, and only grows.
    for (const p of seen) expect(p.walk!.files).toBeGreaterThanOrEqual(p.files);
    const found = seen.map((p) => p.walk!.files);
    expect(found).toEqual([...found].sort((a, b) => a - b));
  });
});
