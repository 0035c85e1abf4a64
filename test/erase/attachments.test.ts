import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ItemRecord, ScanFile } from '../../src/core/types.js';
import { approvePlan, buildPlan, type Plan, writePlan } from '../../src/erase/plan.js';
import { runCli, tempTree, writeSubject } from '../helpers/cli.js';
import { startDovecot } from '../helpers/dovecot.js';
import { fileSha, mboxOf, planApproved, readJson, scanTree, sha256, writeScan } from '../helpers/erase.js';
import { CV_TEXT, messageWithAttachments, partHashes, pdfWith } from '../helpers/mail-attachments.js';

const SHARED = 'Referat\nSøren Kjærgaard Østergård, CPR 150387-1236\nJens Hansen: 22 33 44 55\n';
const OTHER = 'post,beløb\r\nkaffe,120\r\n';

/** The subject's findings in a fresh scan of the tree (dsr scan, as a verification re-scan). */
function rescanFindings(dir: string): number {
  const out = join(dir, `rescan-${Date.now()}.json`);
  const r = runCli([
    'scan',
    join(dir, 'tree'),
    '--subject',
    join(dir, 'subject.json'),
    '--out',
    out,
    '-j',
    '1',
  ]);
  expect([0, 3]).toContain(r.code);
  return readJson<ScanFile>(out).findings.filter((f) => f.subject).length;
}

describe('remove-attachment and redact-attachment in an .eml (built CLI)', () => {
  it('removes the CV, redacts the shared notes, and leaves every other part byte-identical; a re-scan finds nothing', async () => {
    const cv = await pdfWith(CV_TEXT);
    const raw = messageWithAttachments('e1', { cv, shared: SHARED, other: OTHER });
    const dir = tempTree({ 'tree/mail/ansøgning.eml': raw, 'tree/other.txt': 'Jens Hansen 22 33 44 55\n' });
    const file = join(dir, 'tree/mail/ansøgning.eml');
    const before = await partHashes(Buffer.from(raw));
    const untouched = fileSha(join(dir, 'tree/other.txt'));
    const scanPath = scanTree(dir);
    const planPath = planApproved(scanPath);
    const plan = readJson<Plan>(planPath);
    expect(plan.actions.map((a) => [a.kind, a.itemPath, a.rule])).toEqual([
      ['remove-attachment', ['attachment cv.pdf'], 'attachment-of-subject'],
      ['redact-attachment', ['attachment noter.txt'], 'shared-attachment-redact'],
    ]);

    const dry = runCli(['erase', planPath]);
    expect(dry.stdout).toMatch(/would +remove-attachment/);
    expect(dry.stdout).toMatch(/would +redact-attachment/);
    expect(readFileSync(file, 'utf8')).toBe(raw);

    const r = runCli(['erase', planPath, '--execute']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const now = readFileSync(file);
    const text = now.toString('utf8');
    expect(text).toMatch(/attachment cv\.pdf removed on \d{4}-\d{2}-\d{2} under an erasure request/);
    // Headers, the body part, the other attachment and every boundary line are as they were.
    const after = await partHashes(now);
    expect(after['attachment budget.csv']).toBe(before['attachment budget.csv']);
    const rawBytes = Buffer.from(raw);
    const pdfAt = rawBytes.indexOf('--XB\r\nContent-Type: application/pdf') + 6;
    expect(sha256(now.subarray(0, pdfAt))).toBe(sha256(rawBytes.subarray(0, pdfAt)));
    const csvAt = rawBytes.indexOf('\r\n--XB\r\nContent-Type: text/csv');
    expect(sha256(now.subarray(now.length - (rawBytes.length - csvAt)))).toBe(
      sha256(rawBytes.subarray(csvAt)),
    );
    const notes = Buffer.from(
      text.split('filename="noter.txt"\r\nContent-Transfer-Encoding: base64\r\n\r\n')[1].split('\r\n--XB')[0],
      'base64',
    ).toString('utf8');
    expect(notes).toBe('Referat\n[REDACTED-NAME], CPR [REDACTED-CPR]\nJens Hansen: 22 33 44 55\n');
    expect(fileSha(join(dir, 'tree/other.txt'))).toBe(untouched);

    expect(rescanFindings(dir)).toBe(0);
    expect(runCli(['audit', 'verify', join(dir, 'scan.plan.audit.jsonl')]).code).toBe(0);
  }, 120_000);
});

describe('remove-attachment in Maildir and mbox (built CLI)', () => {
  it('Maildir: the rewritten message gets a new unique name with its flags; an mbox keeps its other messages byte for byte', async () => {
    const cv = await pdfWith(CV_TEXT);
    const md = messageWithAttachments('md1', { cv, other: OTHER });
    const m1 = `From karen.jensen@firma.dk Mon Mar  2 09:00:00 2026\n${messageWithAttachments('mb1', { cv, other: OTHER }, '\n')}`;
    const m2 = `From jens.hansen@firma.dk Mon Mar  2 10:00:00 2026\nFrom: jens.hansen@firma.dk\nMessage-ID: <mb2@firma.dk>\nSubject: frokost\n\nFrokost?\n`;
    const { data } = mboxOf([m2, m1]);
    const dir = tempTree({
      'tree/Maildir/cur/1700000000.M1P1.host,S=100:2,RS': md,
      'tree/Maildir/new/.keep': '',
      'tree/Maildir/tmp/.keep': '',
      'tree/mail/inbox': data,
    });
    const scanPath = scanTree(dir);
    const planPath = planApproved(scanPath);
    const plan = readJson<Plan>(planPath);
    expect(plan.actions.map((a) => [a.kind, a.itemPath])).toEqual(
      expect.arrayContaining([
        ['remove-attachment', ['attachment cv.pdf']],
        ['remove-attachment', ['message <mb1@firma.dk>', 'attachment cv.pdf']],
      ]),
    );
    const r = runCli(['erase', planPath, '--execute']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const names = readdirSync(join(dir, 'tree/Maildir/cur'));
    expect(names).toHaveLength(1);
    expect(names[0]).not.toBe('1700000000.M1P1.host,S=100:2,RS');
    expect(names[0]).toMatch(/,S=\d+:2,RS$/);
    const newMd = readFileSync(join(dir, 'tree/Maildir/cur', names[0]));
    expect(names[0]).toContain(`,S=${newMd.length}:`);
    expect((await partHashes(newMd))['attachment budget.csv']).toBe(
      (await partHashes(Buffer.from(md)))['attachment budget.csv'],
    );
    const box = readFileSync(join(dir, 'tree/mail/inbox'), 'latin1');
    expect(box.startsWith(mboxOf([m2]).data.toString('latin1'))).toBe(true);
    expect(box).toContain('attachment cv.pdf removed on');
    expect(box).not.toContain(cv.toString('base64').slice(0, 76));
    expect(rescanFindings(dir)).toBe(0);
  }, 120_000);
});

describe('redact-attachment inside an mbox (built CLI)', () => {
  it('redacts the shared notes in place in the write-back; the colleague’s phone and every other byte stay', async () => {
    const m1 = `From karen.jensen@firma.dk Mon Mar  2 09:00:00 2026\n${messageWithAttachments('mr1', { shared: SHARED, other: OTHER }, '\n')}`;
    const m2 =
      'From jens.hansen@firma.dk Mon Mar  2 10:00:00 2026\nFrom: jens.hansen@firma.dk\nMessage-ID: <mr2@firma.dk>\n\nFrokost?\n';
    const { data } = mboxOf([m1, m2]);
    const dir = tempTree({ 'tree/inbox': data });
    const planPath = planApproved(scanTree(dir));
    expect(readJson<Plan>(planPath).actions.map((a) => [a.kind, a.itemPath])).toEqual([
      ['redact-attachment', ['message <mr1@firma.dk>', 'attachment noter.txt']],
    ]);
    const r = runCli(['erase', planPath, '--execute']);
    expect(r.code).toBe(0);
    const box = readFileSync(join(dir, 'tree/inbox'));
    const old = Buffer.from(data);
    const notesAt = old.indexOf('filename="noter.txt"');
    const csvAt = old.indexOf('\n--XB\nContent-Type: text/csv');
    expect(sha256(box.subarray(0, notesAt))).toBe(sha256(old.subarray(0, notesAt)));
    expect(sha256(box.subarray(box.length - (old.length - csvAt)))).toBe(sha256(old.subarray(csvAt)));
    const notes = Buffer.from(
      box
        .toString('latin1')
        .split('filename="noter.txt"\nContent-Transfer-Encoding: base64\n\n')[1]
        .split('\n--XB')[0],
      'base64',
    ).toString('utf8');
    expect(notes).toBe('Referat\n[REDACTED-NAME], CPR [REDACTED-CPR]\nJens Hansen: 22 33 44 55\n');
    expect(rescanFindings(dir)).toBe(0);
  }, 120_000);
});

describe('stale and refused attachment edits', () => {
  it('a message changed since the scan is stale and left as it is', async () => {
    const cv = await pdfWith(CV_TEXT);
    const raw = messageWithAttachments('s1', { cv });
    const dir = tempTree({ 'tree/a.eml': raw });
    const planPath = planApproved(scanTree(dir));
    writeFileSync(join(dir, 'tree/a.eml'), raw.replace('Hej Jens', 'Hej Anne'));
    const r = runCli(['erase', planPath, '--execute']);
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/stale +remove-attachment/);
    expect(readFileSync(join(dir, 'tree/a.eml'), 'utf8')).toContain('Hej Anne');
  }, 60_000);
});

/** A message's flags without \\Recent (a session's flag, not the message's). */
const lasting = (flags: Set<string> | undefined): string[] =>
  [...(flags ?? [])].filter((f) => f !== '\\Recent').sort();

describe('remove-attachment in an IMAP message (real Dovecot)', () => {
  it('APPENDs the rewritten message with its flags and internal date, then UID EXPUNGEs the old UID', async () => {
    const cv = await pdfWith(CV_TEXT);
    const raw = messageWithAttachments('imap1', { cv, other: OTHER });
    const dc = await startDovecot({
      messages: [
        { raw, flags: ['\\Seen', '\\Flagged'] },
        { raw: messageWithAttachments('imap2', { other: OTHER }) },
      ],
    });
    try {
      const client = await dc.client();
      await client.mailboxOpen('INBOX');
      const before = new Map<number, { date: string; flags: string[] }>();
      for await (const m of client.fetch('1:*', { uid: true, flags: true, internalDate: true }))
        before.set(m.uid, { date: String(m.internalDate), flags: lasting(m.flags) });
      await client.logout();
      const [oldUid, keptUid] = [...before.keys()].sort((a, b) => a - b);

      const dir = tempTree();
      const subject = writeSubject(dir);
      const env = { ...process.env, DSR_IMAP_PASSWORD: dc.password };
      const root = `imap://${dc.user}@${dc.host}:${dc.port}/INBOX`;
      const scanPath = join(dir, 'scan.json');
      expect(
        runCli(['scan', root, '--subject', subject, '--out', scanPath, '--no-progress'], { env }).code,
      ).toBe(0);
      const planPath = planApproved(scanPath);
      expect(readJson<Plan>(planPath).actions.map((a) => [a.kind, a.itemPath])).toEqual([
        ['remove-attachment', ['attachment cv.pdf']],
      ]);
      expect(runCli(['erase', planPath], { env }).stdout).toMatch(/would +remove-attachment/);
      const r = runCli(['erase', planPath, '--execute'], { env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);

      const check = await dc.client();
      await check.mailboxOpen('INBOX');
      const after = new Map<number, { date: string; flags: string[]; source: Buffer }>();
      for await (const m of check.fetch('1:*', { uid: true, flags: true, internalDate: true, source: true }))
        after.set(m.uid, { date: String(m.internalDate), flags: lasting(m.flags), source: m.source! });
      await check.logout();
      expect(after.has(oldUid)).toBe(false);
      expect(after.has(keptUid)).toBe(true);
      const [newUid] = [...after.keys()].filter((u) => u !== keptUid);
      expect(after.get(newUid)!.flags).toEqual(before.get(oldUid)!.flags);
      expect(after.get(newUid)!.date).toBe(before.get(oldUid)!.date);
      const source = after.get(newUid)!.source;
      expect(source.toString('utf8')).toContain('attachment cv.pdf removed on');
      expect((await partHashes(source))['attachment budget.csv']).toBe(
        (await partHashes(Buffer.from(raw)))['attachment budget.csv'],
      );
      const rescan = join(dir, 'rescan.json');
      expect(
        runCli(['scan', root, '--subject', subject, '--out', rescan, '--no-progress'], { env }).code,
      ).toBe(0);
      expect(readJson<ScanFile>(rescan).findings.filter((f) => f.subject)).toEqual([]);
    } finally {
      await dc.stop();
    }
  }, 90_000);
});

/** A plan (approved) to remove cv.pdf from one message, from a scan file written by hand. */
async function removalPlan(
  dir: string,
  roots: string[],
  path: string,
  message: ItemRecord['message'],
  cv: Buffer,
): Promise<string> {
  const scan = readJson<ScanFile>(
    writeScan(dir, roots, [
      {
        path,
        itemPath: [...(message?.itemPath ?? []), 'attachment cv.pdf'],
        format: 'pdf',
        detectors: ['cpr', 'name'],
        fingerprint: { sha256: sha256(cv) },
        message,
      },
    ]),
  );
  const planPath = join(dir, 'plan.json');
  await writePlan(planPath, approvePlan(buildPlan(scan, undefined, {}), 'Test DPO'));
  return planPath;
}

const killedAt = (planPath: string, step: string, env: NodeJS.ProcessEnv = process.env) =>
  runCli(['erase', planPath, '--execute'], { env: { ...env, DSR_TEST_CRASH_AT: step } });

const REWRITE_STEPS = [
  'action:intent-written',
  'rewrite:temp-written',
  'rewrite:temp-synced',
  'rewrite:renamed',
  'rewrite:dir-synced',
  'action:result-written',
];

describe('kill -9 during an attachment rewrite: the old or the new message, and a rerun completes', () => {
  it.each(REWRITE_STEPS)(
    '.eml killed at %s',
    async (step) => {
      const cv = await pdfWith(CV_TEXT);
      const raw = messageWithAttachments('c1', { cv, other: OTHER });
      const dir = tempTree({ 'tree/a.eml': raw });
      const file = join(dir, 'tree/a.eml');
      const planPath = await removalPlan(
        dir,
        [join(dir, 'tree')],
        file,
        {
          kind: 'eml',
          itemPath: [],
          fingerprint: { size: Buffer.byteLength(raw), sha256: sha256(raw) },
        },
        cv,
      );
      expect(killedAt(planPath, step).code).toBe(-1);
      const mid = readFileSync(file, 'utf8');
      expect(mid === raw || mid.includes('attachment cv.pdf removed on')).toBe(true);
      const again = runCli(['erase', planPath, '--execute']);
      expect(again.code).toBe(0);
      const now = readFileSync(file, 'utf8');
      expect(now).toContain('attachment cv.pdf removed on');
      expect(now.split('removed on').length).toBe(2);
      expect(readdirSync(join(dir, 'tree')).filter((f) => f.includes('.dsr-'))).toEqual([]);
      expect(runCli(['audit', 'verify', join(dir, 'plan.audit.jsonl')]).code).toBe(0);
    },
    40_000,
  );

  it.each([...REWRITE_STEPS, 'maildir:renamed'])(
    'Maildir message killed at %s',
    async (step) => {
      const cv = await pdfWith(CV_TEXT);
      const raw = messageWithAttachments('c2', { cv, other: OTHER });
      const name = '1700000000.M2P2.host,S=1:2,S';
      const dir = tempTree({
        [`tree/Maildir/cur/${name}`]: raw,
        'tree/Maildir/new/.k': '',
        'tree/Maildir/tmp/.k': '',
      });
      const cur = join(dir, 'tree/Maildir/cur');
      const planPath = await removalPlan(
        dir,
        [join(dir, 'tree')],
        join(cur, name),
        {
          kind: 'maildir',
          itemPath: [],
          fingerprint: { size: Buffer.byteLength(raw), sha256: sha256(raw) },
        },
        cv,
      );
      expect(killedAt(planPath, step).code).toBe(-1);
      const again = runCli(['erase', planPath, '--execute']);
      expect(again.stdout + again.stderr).toMatch(/done +remove-attachment/);
      expect(again.code).toBe(0);
      const names = readdirSync(cur);
      expect(names).toHaveLength(1);
      expect(names[0]).toMatch(/:2,S$/);
      expect(readFileSync(join(cur, names[0]), 'utf8')).toContain('attachment cv.pdf removed on');
    },
    40_000,
  );

  it.each([
    'mbox:locked',
    'action:intent-written',
    'rewrite:temp-synced',
    'mbox:writeback-journalled',
    'mbox:writeback-half',
    'mbox:truncated',
    'action:result-written',
  ])(
    'mbox message killed at %s',
    async (step) => {
      const cv = await pdfWith(CV_TEXT);
      const m1 = `From karen.jensen@firma.dk Mon Mar  2 09:00:00 2026\n${messageWithAttachments('c3', { cv, other: OTHER }, '\n')}`;
      const m2 =
        'From jens.hansen@firma.dk Mon Mar  2 10:00:00 2026\nFrom: jens.hansen@firma.dk\nMessage-ID: <c4@firma.dk>\n\nFrokost?\n';
      const { data, ranges } = mboxOf([m1, m2]);
      const dir = tempTree({ 'tree/inbox': data });
      const file = join(dir, 'tree/inbox');
      const planPath = await removalPlan(
        dir,
        [join(dir, 'tree')],
        file,
        {
          kind: 'mbox',
          itemPath: ['message <c3@firma.dk>'],
          fingerprint: ranges[0],
        },
        cv,
      );
      expect(killedAt(planPath, step).code).toBe(-1);
      const again = runCli(['erase', planPath, '--execute']);
      expect(again.code).toBe(0);
      const box = readFileSync(file, 'latin1');
      expect(box.split('removed on').length).toBe(2);
      expect(box.endsWith(mboxOf([m2]).data.toString('latin1'))).toBe(true);
      expect(box).not.toContain(cv.toString('base64').slice(0, 60));
      expect(
        readdirSync(join(dir, 'tree')).filter((f) => f.includes('.dsr-') || f.endsWith('.lock')),
      ).toEqual([]);
    },
    40_000,
  );

  it.each(['action:intent-written', 'imap:appended', 'action:result-written'])(
    'IMAP message killed at %s: never two copies',
    async (step) => {
      const cv = await pdfWith(CV_TEXT);
      const raw = messageWithAttachments('c5', { cv, other: OTHER });
      const dc = await startDovecot({ messages: [{ raw, flags: ['\\Seen'] }] });
      try {
        const client = await dc.client();
        const box = await client.mailboxOpen('INBOX');
        const [uid] = (await client.search({ all: true }, { uid: true })) || [];
        await client.logout();
        const server = `imap://${dc.user}@${dc.host}:${dc.port}`;
        const dir = tempTree();
        const validity = String(box.uidValidity);
        const planPath = await removalPlan(
          dir,
          [`${server}/INBOX`],
          `${server}/INBOX;UIDVALIDITY=${validity}/;UID=${uid}`,
          { kind: 'imap', itemPath: [], fingerprint: { uidValidity: validity, uid, sha256: sha256(raw) } },
          cv,
        );
        const env = { ...process.env, DSR_IMAP_PASSWORD: dc.password };
        expect(killedAt(planPath, step, env).code).toBe(-1);
        const again = runCli(['erase', planPath, '--execute'], { env });
        expect(again.code).toBe(0);
        const check = await dc.client();
        await check.mailboxOpen('INBOX');
        const sources: string[] = [];
        for await (const m of check.fetch('1:*', { source: true })) sources.push(m.source!.toString('utf8'));
        await check.logout();
        expect(sources).toHaveLength(1);
        expect(sources[0]).toContain('attachment cv.pdf removed on');
      } finally {
        await dc.stop();
      }
    },
    60_000,
  );
});

describe('buildPlan: the message, the attachment, or a redaction (hand-built scans)', () => {
  const dir = tempTree();
  const eml = (extra: Partial<ItemRecord>): Partial<ItemRecord> => ({
    path: '/r/a.eml',
    message: { kind: 'eml', itemPath: [], fingerprint: { size: 10, sha256: 'a'.repeat(64) } },
    fingerprint: { sha256: 'b'.repeat(64) },
    ...extra,
  });
  // Every text item has one finding of the subject's CPR in its body.
  const plan = (items: Partial<ItemRecord>[], decisions: Record<string, 'include' | 'exclude'> = {}) => {
    const texts = items.filter((i) => i.format === 'text').map((i) => ({ itemId: i.id, path: i.path }));
    const scan = readJson<ScanFile>(writeScan(dir, ['/r'], items, texts));
    const review = {
      schema: 'dsr.review/2' as const,
      scanId: scan.scanId,
      decisions: Object.fromEntries(
        Object.entries(decisions).map(([id, decision]) => [id, { decision, by: 'r', at: 'now' }]),
      ),
    };
    return buildPlan(scan, review).actions.map((a) => [a.kind, a.itemPath.join(' › '), a.rule]);
  };

  it('the subject in the message itself: the message is decided whole, its attachments with it', () => {
    expect(
      plan([
        eml({ id: 'm', itemPath: [] }),
        eml({ id: 'p', itemPath: ['attachment cv.pdf'], format: 'pdf' }),
      ]),
    ).toEqual([['delete-file', '', 'message-of-subject']]);
  });

  it('only in attachments: a PDF is removed, a text redacted (removed when a reviewer included it), one with others left', () => {
    expect(
      plan([
        eml({ id: 'p', itemPath: ['attachment cv.pdf'], format: 'pdf' }),
        eml({ id: 't', itemPath: ['attachment noter.txt'], format: 'text' }),
        eml({ id: 'x', itemPath: ['attachment liste.xlsx'], format: 'office', others: { phone: 2 } }),
      ]),
    ).toEqual([
      ['remove-attachment', 'attachment cv.pdf', 'attachment-of-subject'],
      ['manual', 'attachment liste.xlsx', 'attachment-with-others'],
      ['redact-attachment', 'attachment noter.txt', 'subject-data-in-attachment'],
    ]);
    expect(
      plan([eml({ id: 't', itemPath: ['attachment noter.txt'], format: 'text' })], { t: 'include' }),
    ).toEqual([['remove-attachment', 'attachment noter.txt', 'attachment-of-subject']]);
  });

  it('a reviewer’s exclude keeps an attachment out; the subject inside an archive in it is manual; in an attached message, the message is decided whole', () => {
    expect(
      plan(
        [
          eml({ id: 'p', itemPath: ['attachment cv.pdf'], format: 'pdf' }),
          eml({ id: 'z', itemPath: ['attachment bilag.zip', 'cv.txt'], format: 'text' }),
        ],
        { p: 'exclude' },
      ),
    ).toEqual([['manual', 'attachment bilag.zip', 'inside-attachment']]);
    expect(
      plan([eml({ id: 'q', itemPath: ['message <fwd@x>', 'attachment cv.pdf'], format: 'pdf' })]),
    ).toEqual([['delete-file', '', 'message-of-subject']]);
  });
});

describe('PDF: deleted when wholly the subject’s, else manual with its pages', () => {
  const dir = tempTree();
  const pdfItem = (others?: ItemRecord['others']): Partial<ItemRecord> => ({
    path: '/r/cv.pdf',
    format: 'pdf',
    detectors: ['cpr', 'name'],
    fingerprint: { size: 10, sha256: 'c'.repeat(64) },
    ...(others ? { others } : {}),
  });
  const finding = (detector: 'cpr' | 'name', page: number) => ({
    path: '/r/cv.pdf',
    detector,
    value: detector === 'cpr' ? '150387-1236' : 'Søren Kjærgaard Østergård',
    location: { field: `page ${page}`, page },
  });
  const build = (items: Partial<ItemRecord>[], findings: ReturnType<typeof finding>[], errors = false) => {
    const scan = readJson<ScanFile>(writeScan(dir, ['/r'], items, findings));
    if (errors)
      scan.errors.push({
        path: '/r/cv.pdf',
        itemPath: [],
        message: 'page 2 is scanned',
        kind: 'unsupported',
      });
    return buildPlan(scan, undefined).actions[0];
  };

  it('name and CPR, nobody else, read whole: delete-file', () => {
    expect(build([pdfItem()], [finding('name', 1), finding('cpr', 1)])).toMatchObject({
      kind: 'delete-file',
      rule: 'pdf-wholly-subject',
    });
  });

  it('another person’s identifier, a CPR without the name, or an unread page: manual, saying which pages hold what', () => {
    const shared = build([pdfItem({ phone: 1 })], [finding('name', 1), finding('cpr', 3)]);
    expect(shared).toMatchObject({
      kind: 'manual',
      rule: 'pdf-with-others',
      pages: [
        { page: 1, detectors: ['name'] },
        { page: 3, detectors: ['cpr'] },
      ],
    });
    expect(shared.kind === 'manual' && shared.reason).toContain('page 1 (name), page 3 (cpr)');
    expect(build([pdfItem()], [finding('cpr', 2)])).toMatchObject({
      kind: 'manual',
      rule: 'pdf-not-wholly-subject',
    });
    expect(build([pdfItem()], [finding('name', 1), finding('cpr', 1)], true)).toMatchObject({
      kind: 'manual',
      rule: 'pdf-not-wholly-subject',
    });
  });

  it('end to end: a CV is deleted, a colleague list in PDF stays with its pages named (built CLI)', async () => {
    const tree = tempTree({
      'tree/cv.pdf': await pdfWith(CV_TEXT),
      'tree/liste.pdf': await pdfWith([
        'Telefonliste',
        'Søren Kjærgaard Østergård 21 43 65 87',
        'Jens Hansen 22 33 44 55',
      ]),
    });
    const planPath = planApproved(scanTree(tree));
    const plan = readJson<Plan>(planPath);
    const byName = Object.fromEntries(plan.actions.map((a) => [a.path.split('/').pop(), a]));
    expect(byName['cv.pdf']).toMatchObject({ kind: 'delete-file', rule: 'pdf-wholly-subject' });
    expect(byName['liste.pdf']).toMatchObject({
      kind: 'manual',
      rule: 'pdf-with-others',
      pages: [{ page: 1 }],
    });
    const r = runCli(['erase', planPath, '--execute']);
    expect(r.code).toBe(5);
    expect(readdirSync(join(tree, 'tree')).sort()).toEqual(['liste.pdf']);
  }, 60_000);
});
