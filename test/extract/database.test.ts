import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PROJECT, tempTree } from '../helpers/cli.js';
import { errorLines, findingLines, scanFile } from '../helpers/documents-scan.js';
import { inPrivateTmpdir } from '../helpers/private-tmpdir.js';

/** Fixtures written by fixtures/gen/data.ts. */
const DATA = join(PROJECT, 'fixtures/data');
const NAME = 'Søren Kjærgaard Østergård';
const EMAIL = 'soren.ostergard@example.dk';
const PHONE = '+4521436587';
const CPR = '150387-1236';

const CRM = [
  `table customers › row 17 | cpr | ${CPR} | cpr`,
  `table customers › row 17 | email | ${EMAIL} | email`,
  'table customers › row 17 | name | Søren Østergård | fornavn+efternavn',
  `table customers › row 17 | phone | ${PHONE} | telefon`,
  `table notes "2024" › row 1 | name | ${NAME} | body`,
  `table orders › row "order_no" = 'A-1001' | email | ${EMAIL} | customer_email`,
];

/** Every file in `dir` with its bytes' hash and its mtime. */
function snapshot(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((f) => {
      const p = join(dir, f);
      return `${f} ${createHash('sha256').update(readFileSync(p)).digest('hex')} ${statSync(p).mtimeMs}`;
    });
}

describe('SQLite databases', () => {
  it.each(['crm.sqlite', 'kunder-utf16.db', 'wal.sqlite3'])(
    '%s: each row an item `table T › row N`, each column a field; first name and surname columns as a name',
    async (f) => {
      const r = await scanFile(join(DATA, f));
      expect(errorLines(r)).toEqual([]);
      expect(findingLines(r)).toEqual(CRM);
      // The subject's row is confirmed (name, e-mail, phone, CPR); the other rows are no items of the subject.
      const row = r.items.find((i) => i.itemPath.join(' › ') === 'table customers › row 17')!;
      expect(row.format).toBe('sqlite-row');
      expect(row.evidence).toBe('confirmed');
    },
  );

  it('a WAL database is read from a private copy: file and folder unchanged, no -wal/-shm, no spool left', async () => {
    const dir = tempTree();
    copyFileSync(join(DATA, 'wal.sqlite3'), join(dir, 'wal.sqlite3'));
    copyFileSync(join(DATA, 'crm.sqlite'), join(dir, 'crm.sqlite'));
    const before = snapshot(dir);
    const { result, left } = await inPrivateTmpdir(async () => [
      await scanFile(join(dir, 'wal.sqlite3')),
      await scanFile(join(dir, 'crm.sqlite')),
    ]);
    expect(result.map((r) => r.findings.length)).toEqual([CRM.length, CRM.length]);
    expect(snapshot(dir)).toEqual(before);
    expect(left).toEqual([]);
  });

  it('a database another program holds an exclusive lock on is still read, and the lock kept', async () => {
    const dir = tempTree();
    const path = join(dir, 'locked.sqlite');
    copyFileSync(join(DATA, 'crm.sqlite'), path);
    const owner = new Database(path);
    owner.pragma('locking_mode = EXCLUSIVE');
    owner.exec('BEGIN EXCLUSIVE');
    try {
      const r = await scanFile(path);
      expect(findingLines(r)).toEqual(CRM);
      expect(owner.inTransaction).toBe(true);
    } finally {
      owner.exec('COMMIT');
      owner.close();
    }
  });

  it('numbers as a person writes them: a CPR number stored as an integer gets its lost leading zero back', async () => {
    const dir = tempTree();
    const path = join(dir, 'people.db');
    const db = new Database(path);
    db.exec('CREATE TABLE people (navn TEXT, cpr INTEGER, tlf INTEGER, score REAL)');
    db.prepare('INSERT INTO people VALUES (?, ?, ?, ?)').run('Ida Lund', 10203041, 21436587, 1.5);
    db.prepare('INSERT INTO people VALUES (?, ?, ?, ?)').run('Mia Berg', 101901234, null, null);
    db.close();
    const r = await scanFile(path, {
      subject: { name: 'Mia Berg', cpr: ['010190-1234'], phones: ['+45 21 43 65 87'] },
    });
    expect(findingLines(r)).toEqual([
      'table people › row 1 | phone | +4521436587 | tlf',
      'table people › row 2 | cpr | 010190-1234 | cpr',
      'table people › row 2 | name | Mia Berg | navn',
    ]);
  });

  it('a table WITHOUT ROWID, STRICT names its row by its composite primary key', async () => {
    const dir = tempTree();
    const path = join(dir, 'visits.db');
    const db = new Database(path);
    db.exec(
      'CREATE TABLE visits (day TEXT, n INTEGER, who TEXT, PRIMARY KEY (day, n)) WITHOUT ROWID, STRICT',
    );
    db.prepare('INSERT INTO visits VALUES (?, ?, ?)').run("2024-03-01 'am'", 2, 'soren.ostergard@example.dk');
    db.close();
    expect(findingLines(await scanFile(path))).toEqual([
      `table visits › row "day" = '2024-03-01 ''am''' AND "n" = 2 | email | ${EMAIL} | who`,
    ]);
  });

  it('rows past --max-members per table and text past --max-text per database are limit errors', async () => {
    const rows = await scanFile(join(DATA, 'crm.sqlite'), { limits: { maxMembers: 3 } });
    expect(errorLines(rows)).toEqual([' | limit']);
    expect(rows.errors[0].message).toMatch(/table customers: more than 3 rows \(--max-members\)/);
    expect(findingLines(rows).filter((l) => l.startsWith('table customers'))).toEqual([]);
    const text = await scanFile(join(DATA, 'crm.sqlite'), { limits: { maxTextChars: 100 } });
    expect(errorLines(text)).toEqual([' | limit']);
    expect(text.errors[0].message).toMatch(/more than 100 characters of text in this database/);
  });

  it('damaged, encrypted or cut short: an error entry; a `.db` that is no SQLite file is binary, skipped', async () => {
    const good = readFileSync(join(DATA, 'crm.sqlite'));
    const damaged = Buffer.from(good);
    damaged.fill(0xa5, 4096, 8192);
    const dir = tempTree({
      'damaged.sqlite': damaged,
      'cut.sqlite': good.subarray(0, 5000),
      'sqlcipher.sqlite': Buffer.alloc(4096, 0x5c),
      'Thumbs.db': Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]),
    });
    for (const f of ['damaged.sqlite', 'cut.sqlite']) {
      const r = await scanFile(join(dir, f));
      expect(errorLines(r), f).toEqual([' | corrupt']);
      expect(r.errors[0].message).toMatch(/SQLite database damaged/);
    }
    const cipher = await scanFile(join(dir, 'sqlcipher.sqlite'));
    expect(errorLines(cipher)).toEqual([' | encrypted']);
    const thumbs = await scanFile(join(dir, 'Thumbs.db'));
    expect(thumbs.errors).toEqual([]);
    expect(thumbs.skipped).toBe('binary');
  });

  it('a database inside a zip is read from memory, WAL databases too', async () => {
    const zip = zipSync({
      'backup/crm.sqlite': readFileSync(join(DATA, 'crm.sqlite')),
      'backup/wal.sqlite3': readFileSync(join(DATA, 'wal.sqlite3')),
    });
    const dir = tempTree({ 'backup.zip': zip });
    const r = await scanFile(join(dir, 'backup.zip'));
    expect(errorLines(r)).toEqual([]);
    expect(findingLines(r)).toEqual(
      [
        ...CRM.map((l) => `member backup/crm.sqlite › ${l}`),
        ...CRM.map((l) => `member backup/wal.sqlite3 › ${l}`),
      ].sort(),
    );
  });

  it('a file without a known name is recognised as SQLite by its first bytes', async () => {
    const dir = tempTree({ 'crm-backup': readFileSync(join(DATA, 'crm.sqlite')) });
    expect(findingLines(await scanFile(join(dir, 'crm-backup')))).toEqual(CRM);
  });
});
