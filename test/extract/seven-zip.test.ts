import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSevenZip } from '../../src/extract/archive/seven-zip-run.js';
import { PROJECT, tempTree } from '../helpers/cli.js';
import { errorLines, findingLines, scanFile } from '../helpers/documents-scan.js';
import { inPrivateTmpdir } from '../helpers/private-tmpdir.js';

/** Fixtures written by fixtures/gen/data.ts (the xz, bzip2 and 7z tools made them; they are committed). */
const DATA = join(PROJECT, 'fixtures/data');
const NAME = 'Søren Kjærgaard Østergård';
const EMAIL = 'soren.ostergard@example.dk';
const PHONE = '+4521436587';
const CPR = '150387-1236';

const LETTER = [`member letter.txt | name | ${NAME} | body`, `member letter.txt | phone | ${PHONE} | body`];
const TODO = [
  `member home/soren/todo.txt | cpr | ${CPR} | body`,
  `member home/soren/todo.txt | name | ${NAME} | body`,
];

describe('xz and bzip2', () => {
  it.each(['letter.txt.xz', 'letter.txt.bz2'])(
    '%s: the one file inside, named without the suffix',
    async (f) => {
      const r = await scanFile(join(DATA, f));
      expect(errorLines(r)).toEqual([]);
      expect(findingLines(r)).toEqual(LETTER);
      expect(r.items.map((i) => i.format)).toEqual(['text']);
    },
  );

  it.each(['backup.tar.xz', 'backup.tar.bz2', 'backup.txz', 'backup.tbz2'])(
    '%s: the tar inside, member by member',
    async (f) => {
      const r = await scanFile(join(DATA, f));
      expect(errorLines(r)).toEqual([]);
      expect(findingLines(r)).toEqual(TODO);
    },
  );

  it('a file without a name is recognised as xz or bzip2 by its first bytes', async () => {
    const dir = tempTree({
      attachment1: readFileSync(join(DATA, 'letter.txt.xz')),
      attachment2: readFileSync(join(DATA, 'letter.txt.bz2')),
    });
    for (const name of ['attachment1', 'attachment2']) {
      const r = await scanFile(join(dir, name));
      expect(r.findings.map((f) => f.detector).sort()).toEqual(['name', 'phone']);
    }
  });

  it.each(['zeros.bin.xz', 'zeros.bin.bz2'])(
    '%s (50 MiB of zeros): refused by the ratio limit while inflating',
    async (f) => {
      const { result: r, left } = await inPrivateTmpdir(() => scanFile(join(DATA, f)));
      expect(errorLines(r)).toEqual([' | limit']);
      expect(r.errors[0].message).toMatch(/ratio over 100:1 \(--max-ratio\), a likely decompression bomb/);
      // 7-Zip was stopped at the cap (1 MiB for a file this small), and its spool is gone.
      expect(left).toEqual([]);
    },
  );

  it.each(['letter.txt.xz', 'letter.txt.bz2', 'backup.tar.xz'])(
    '%s cut short: a corrupt error, no crash',
    async (f) => {
      const data = readFileSync(join(DATA, f));
      const dir = tempTree({ [f]: data.subarray(0, Math.floor(data.length * 0.6)) });
      const r = await scanFile(join(dir, f));
      expect(errorLines(r)).toEqual([' | corrupt']);
      expect(r.errors[0].message).toMatch(/damaged or truncated/);
    },
  );
});

describe('7z', () => {
  it('reads every member through the extractors: nested zip, tar.xz and SQLite members included', async () => {
    const r = await scanFile(join(DATA, 'bundle.7z'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([
      `member backup.tar.xz › member home/soren/todo.txt | cpr | ${CPR} | body`,
      `member backup.tar.xz › member home/soren/todo.txt | name | ${NAME} | body`,
      `member crm.sqlite › table customers › row 17 | cpr | ${CPR} | cpr`,
      `member crm.sqlite › table customers › row 17 | email | ${EMAIL} | email`,
      'member crm.sqlite › table customers › row 17 | name | Søren Østergård | fornavn+efternavn',
      `member crm.sqlite › table customers › row 17 | phone | ${PHONE} | telefon`,
      `member crm.sqlite › table notes "2024" › row 1 | name | ${NAME} | body`,
      `member crm.sqlite › table orders › row "order_no" = 'A-1001' | email | ${EMAIL} | customer_email`,
      ...TODO,
      `member inner.zip › member kontakt.txt | email | ${EMAIL} | body`,
      ...LETTER,
    ]);
  });

  it.each(['ppmd.7z', 'bzip2.7z', 'lzma-bcj.7z'])('%s: another coder, the same member', async (f) => {
    const r = await scanFile(join(DATA, f));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual(LETTER);
  });

  it('a member over the ratio limit is refused before anything is written; its sibling is read', async () => {
    const { result: r, left } = await inPrivateTmpdir(() => scanFile(join(DATA, 'bomb.7z')));
    expect(errorLines(r)).toEqual(['member zeros.bin | limit']);
    expect(r.errors[0].message).toMatch(/compression ratio \d+:1 exceeds 100:1/);
    expect(findingLines(r)).toEqual(LETTER);
    expect(left).toEqual([]);
  });

  it('past --max-inflated-bytes or --max-members, the member that passes it is named', async () => {
    const big = await scanFile(join(DATA, 'bomb.7z'), {
      limits: { maxRatio: 100_000, maxInflatedBytes: 1 << 20 },
    });
    expect(errorLines(big)).toEqual(['member zeros.bin | limit']);
    expect(big.errors[0].message).toMatch(/--max-inflated-bytes/);
    const few = await scanFile(join(DATA, 'bundle.7z'), { limits: { maxMembers: 2 } });
    // The database's tables count their rows against the same limit.
    expect(errorLines(few)).toEqual([' | limit', 'member crm.sqlite | limit']);
    expect(few.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/more than 2 members/),
      expect.stringMatching(/table customers: more than 2 rows/),
    ]);
    expect(new Set(few.findings.map((f) => f.itemPath[0]))).toEqual(
      new Set(['member backup.tar.xz', 'member crm.sqlite']),
    );
  });

  it('nesting deeper than --max-depth is refused at the level that passes it', async () => {
    const r = await scanFile(join(DATA, 'bundle.7z'), { limits: { maxDepth: 1 } });
    expect(errorLines(r)).toEqual([
      'member backup.tar.xz › member home/soren/todo.txt | limit',
      'member crm.sqlite › table customers › row 1 | limit',
      'member crm.sqlite › table customers › row 17 | limit',
      'member crm.sqlite › table customers › row 2 | limit',
      'member crm.sqlite › table customers › row 3 | limit',
      'member crm.sqlite › table notes "2024" › row 1 | limit',
      `member crm.sqlite › table orders › row "order_no" = 'A-1001' | limit`,
      `member crm.sqlite › table orders › row "order_no" = 'A-1002' | limit`,
      'member inner.zip › member kontakt.txt | limit',
    ]);
  });

  it('password-protected: members are `encrypted` errors; encrypted file names make the archive one', async () => {
    const members = await scanFile(join(DATA, 'encrypted.7z'));
    expect(errorLines(members)).toEqual(['member letter.txt | encrypted']);
    const names = await scanFile(join(DATA, 'encrypted-names.7z'));
    expect(errorLines(names)).toEqual([' | encrypted']);
    expect(names.errors[0].message).toMatch(/password-protected \(encrypted file names\)/);
  });

  it('symbolic links are no members: neither their targets read nor made, the regular file read', async () => {
    const { result: r, left } = await inPrivateTmpdir(() => scanFile(join(DATA, 'links.7z')));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual([
      `member links/ok.txt | cpr | ${CPR} | body`,
      `member links/ok.txt | name | ${NAME} | body`,
    ]);
    expect(left).toEqual([]);
  });

  it('7-Zip itself cannot make a link in the spool, even when asked to write every member', async () => {
    const dir = tempTree();
    mkdirSync(join(dir, 'out'));
    const run = await runSevenZip(join(DATA, 'links.7z'), join(dir, 'out'), ['x', '-y', '-snld'], 1 << 20);
    expect(run.code).not.toBe(0);
    const made = readdirSync(join(dir, 'out/links'));
    expect(made).toEqual(['ok.txt']);
  });

  it('cut short: a corrupt error naming what 7-Zip says, no crash', async () => {
    const data = readFileSync(join(DATA, 'bundle.7z'));
    const dir = tempTree({ 'cut.7z': data.subarray(0, data.length - 200) });
    const exitCode = process.exitCode;
    const r = await scanFile(join(dir, 'cut.7z'));
    expect(errorLines(r)).toEqual([' | corrupt']);
    expect(findingLines(r)).toEqual([]);
    // 7-Zip's exit status (2) is not dsr's: the process's exit code is left as it was.
    expect(process.exitCode).toBe(exitCode);
  });
});
