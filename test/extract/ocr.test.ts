import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { boxOf } from '../../src/engine/scan-item.js';
import { pageText } from '../../src/extract/ocr/ocr.js';
import { pageLikeSignal } from '../../src/extract/ocr/page-like.js';
import { parseTsv, recognise, tesseractPath } from '../../src/extract/ocr/tesseract.js';
import { PROJECT, tempTree } from '../helpers/cli.js';

const OCR = join(PROJECT, 'fixtures/ocr');

describe('tesseract TSV', () => {
  const tsv = [
    'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
    '1\t1\t0\t0\t0\t0\t0\t0\t1241\t1754\t-1\t',
    '4\t1\t1\t1\t1\t0\t52\t53\t419\t27\t-1\t',
    '5\t1\t1\t1\t1\t1\t52\t57\t68\t18\t96.9\tKære',
    '5\t1\t1\t1\t1\t2\t133\t56\t68\t20\t97.0\tSøren',
    '5\t1\t1\t1\t2\t1\t51\t96\t54\t19\t93.2\tCPR:',
    '5\t1\t1\t1\t2\t2\t118\t96\t164\t19\t93.2\t150387-1236',
    '5\t2\t1\t1\t1\t1\t10\t20\t30\t40\t90.0\tside',
    '5\t2\t1\t1\t1\t2\t50\t20\t30\t40\t90.0\t ',
  ].join('\n');

  it('gives the words of each page, line by line, with their boxes; blank words are left out', () => {
    const pages = parseTsv(tsv);
    expect(pages.map((p) => [p.page, p.lines.map((l) => l.map((w) => w.text).join(' '))])).toEqual([
      [1, ['Kære Søren', 'CPR: 150387-1236']],
      [2, ['side']],
    ]);
    expect(pages[0].lines[1][1].box).toEqual({ x: 118, y: 96, w: 164, h: 19 });
  });

  it("joins a page's words into one text whose offsets map back to each word's box", () => {
    const { text, boxes } = pageText(parseTsv(tsv)[0]);
    expect(text).toBe('Kære Søren\nCPR: 150387-1236');
    const at = text.indexOf('150387-1236');
    expect(boxOf(boxes, at, at + 11)).toEqual({ x: 118, y: 96, w: 164, h: 19 });
    // A match over two words (a name) gets the box around both.
    expect(boxOf(boxes, 0, 10)).toEqual({ x: 52, y: 56, w: 149, h: 20 });
    expect(boxOf(boxes, 10, 11)).toBeUndefined();
  });
});

describe('the cheap look at a WebP', () => {
  it('takes a page of text for a page, and a colour photo or a plain grey picture not', async () => {
    expect(await pageLikeSignal(readFileSync(join(OCR, 'brev.webp')))).toBe(
      'light page with dark marks and little colour',
    );
    const photo = await sharp(readFileSync(join(OCR, 'foto.jpg')))
      .webp()
      .toBuffer();
    expect(await pageLikeSignal(photo)).toBeUndefined();
    const blank = await sharp({ create: { width: 800, height: 1100, channels: 3, background: '#ffffff' } })
      .webp()
      .toBuffer();
    expect(await pageLikeSignal(blank)).toBeUndefined();
    expect(await pageLikeSignal(Buffer.from('RIFF\0\0\0\0WEBPVP8 garbage'))).toBeUndefined();
  });
});

describe('running tesseract', () => {
  it('DSR_TESSERACT chooses the program; empty or not a program means no OCR', () => {
    expect(tesseractPath({ DSR_TESSERACT: '' })).toBeUndefined();
    expect(tesseractPath({ DSR_TESSERACT: '/nonexistent/tesseract' })).toBeUndefined();
    expect(tesseractPath({ DSR_TESSERACT: 'tesseract' })).toBeUndefined();
    expect(tesseractPath({ PATH: '/nonexistent' })).toBeUndefined();
    expect(tesseractPath({ PATH: '/usr/bin' })).toBe('/usr/bin/tesseract');
  });

  it('is killed at its deadline: a `timeout`, and no process left behind', async () => {
    const dir = tempTree();
    const slow = join(dir, 'tesseract');
    const pidFile = join(dir, 'pid');
    writeFileSync(slow, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 30\n`, { mode: 0o755 });
    const before = process.env.DSR_TESSERACT;
    process.env.DSR_TESSERACT = slow;
    try {
      await expect(recognise(new Uint8Array(10), { deadline: Date.now() + 1000 })).rejects.toMatchObject({
        kind: 'timeout',
      });
    } finally {
      if (before === undefined) delete process.env.DSR_TESSERACT;
      else process.env.DSR_TESSERACT = before;
    }
    const pid = readFileSync(pidFile, 'utf8').trim();
    const alive = execFileSync('sh', ['-c', `kill -0 ${pid} 2>/dev/null && echo alive || echo gone`], {
      encoding: 'utf8',
    }).trim();
    expect(alive).toBe('gone');
  });
});
