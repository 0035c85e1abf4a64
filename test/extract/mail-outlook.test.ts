import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { scanTopLevel } from '../../src/engine/scan-item.js';
import { compileSubject } from '../../src/match/subject.js';
import { PROJECT, tempTree } from '../helpers/cli.js';
import { findingLines, MAIL_FIXTURES, scanMailFile } from '../helpers/mail-scan.js';

/**
 * The .pst is the real Enron sample that pst-extractor ships as its own test data (14 MB, too big to
 * copy into fixtures/). It is installed with the dependencies, in CI too.
 */
const ENRON_PST = join(PROJECT, 'node_modules/pst-extractor/example/testdata/enron.pst');

describe('Outlook .msg', () => {
  it('reads sender, recipients with display names, subject, body, attachments and an embedded message', async () => {
    const r = await scanMailFile(join(MAIL_FIXTURES, 'msg/application.msg'));
    expect(r.format).toBe('msg');
    expect(r.errors).toEqual([]);
    expect(findingLines(r)).toEqual([
      '["attachment cpr.txt"] cpr 150387-1236 body',
      '["message <outlook-embedded@example.dk>","attachment cv.txt"] name Søren Kjærgaard Østergård body',
      '["message <outlook-embedded@example.dk>","attachment cv.txt"] phone +4521436587 body',
      '["message <outlook-embedded@example.dk>"] email soren.ostergard@example.dk header:From',
      '["message <outlook-embedded@example.dk>"] name Søren Kjærgaard Østergård header:From',
      '[] email soren.ostergard@example.dk header:To',
      '[] name Søren Kjærgaard Østergård header:Subject',
      '[] name Søren Kjærgaard Østergård header:To',
      '[] phone +4521436587 body',
    ]);
    for (const item of r.items) expect(item.message).toMatchObject({ kind: 'msg', itemPath: [] });
  });

  it('reports a text file named .msg as corrupt', async () => {
    const r = await scanMailFile(join(MAIL_FIXTURES, 'hostile/not-really.msg'));
    expect(r.errors.map((e) => [e.kind, e.message])).toEqual([
      ['corrupt', 'not an Outlook message: Unsupported file type!'],
    ]);
  });
});

describe('Outlook .pst', () => {
  it('walks every folder and message; folder path and Message-ID in itemPath', async () => {
    const input = {
      ref: { path: ENRON_PST, itemPath: [] },
      name: 'enron.pst',
      source: { kind: 'file' as const, absPath: ENRON_PST, size: statSync(ENRON_PST).size },
      depth: 0,
    };
    // A sender in the sample mailbox stands in for the subject.
    const r = await scanTopLevel(input, {
      subject: compileSubject({ emails: ['dennis.lee@enron.com'] }),
      all: false,
      limits: DEFAULT_LIMITS,
    });
    expect(r.format).toBe('pst');
    // Its legacy Word and Excel attachments (.doc, .xls: OLE files written by Office 97-2000) are read.
    expect(r.errors).toEqual([]);
    const tw = 'folder Top of Personal Folders/lokay-m/MLOKAY (Non-Privileged)/TW-Commercial Group';
    const sys = 'folder Top of Personal Folders/lokay-m/MLOKAY (Non-Privileged)/Systems';
    expect(findingLines(r)).toEqual(
      [
        `["${tw}","message <I2OY5JK033YULHIIZG14FWPGKODJHROVB@zlsvr22>"] email dennis.lee@enron.com body`,
        `["${tw}","message <I2OY5JK033YULHIIZG14FWPGKODJHROVB@zlsvr22>"] email dennis.lee@enron.com header:Cc`,
        `["${tw}","message <I2OY5JK033YULHIIZG14FWPGKODJHROVB@zlsvr22>"] email dennis.lee@enron.com header:From`,
        `["${tw}","message <OPOLGSQ5WIOZPH4GUKPOABLMLE5VDS4IA@zlsvr22>"] email dennis.lee@enron.com body`,
        `["${tw}","message <OPOLGSQ5WIOZPH4GUKPOABLMLE5VDS4IA@zlsvr22>"] email dennis.lee@enron.com header:From`,
        `["${tw}","message <PH40CECI2FCY23HOFDQSYSQ25NIZKXCPA@zlsvr22>"] email dennis.lee@enron.com header:To`,
        `["${sys}","message <N0DJBVNOM04HYSKZOCT40ODV2IQQU4TQA@zlsvr22>"] email dennis.lee@enron.com body`,
        `["${sys}","message <N0DJBVNOM04HYSKZOCT40ODV2IQQU4TQA@zlsvr22>"] email dennis.lee@enron.com header:From`,
      ].sort(),
    );
    for (const item of r.items) {
      expect(item.message?.kind).toBe('pst');
      expect(item.message?.itemPath).toEqual(item.itemPath);
    }
  });

  it('stops early at the message limit and before the time limit, with one error each', async () => {
    const limited = await scanMailFile(ENRON_PST, { maxMembers: 1 });
    expect(limited.errors.filter((e) => e.itemPath.length === 0).map((e) => [e.kind, e.message])).toEqual([
      ['limit', 'more than 1 messages; the rest of the data file was not read'],
    ]);
    const timed = await scanMailFile(ENRON_PST, { timeoutMs: 0 });
    expect(timed.itemCount).toBe(1);
    expect(timed.errors.map((e) => [e.kind, e.message])).toEqual([
      ['timeout', 'read 0 messages before the time limit; the rest was not read (raise --timeout)'],
    ]);
  });

  it('reports a file named .pst that is not one as corrupt', async () => {
    const dir = tempTree({ 'broken.pst': '!BDN then nothing useful at all' });
    const r = await scanMailFile(join(dir, 'broken.pst'));
    expect(r.errors.map((e) => e.kind)).toEqual(['corrupt']);
    expect(r.findings).toEqual([]);
  });
});
