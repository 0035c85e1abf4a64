/**
 * Redaction of files as Danish offices write them: Windows-1252 with `€` and `–` (bytes 0x80 and 0x96),
 * and UTF-8 in NFD (macOS) form. Each is redacted in its own encoding and normal form, and every byte
 * outside the replaced spans stays as it was. End to end: scan, plan, approve, erase, through the CLI.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';
import { planApproved, scanTree } from '../helpers/erase.js';

const OTHER = 'Jens Hansen, jens@firma.dk, CPR 010190-1234';
const cp1252 = (s: string) => iconv.encode(s, 'windows-1252');
const nfd = (s: string) => Buffer.from(s.normalize('NFD'), 'utf8');

const FILES = {
  'tree/priser.txt': cp1252(`Pris 100 € – Søren Østergård, CPR 150387-1236.\r\n${OTHER} – 5 €\r\n`),
  'tree/citat.csv': cp1252(`„Søren Østergård“;150387-1236;Æblegården\r\nJens Hansen;010190-1234;Œuvre\r\n`),
  'tree/mac-noter.txt': nfd(`Møde med Søren Østergård på café Ærø, CPR 150387-1236.\n${OTHER}, Åbenrå\n`),
};
/** What each file must hold afterwards, byte for byte, in its own encoding and form. */
const EXPECTED = {
  'tree/priser.txt': cp1252(`Pris 100 € – [REDACTED-NAME], CPR [REDACTED-CPR].\r\n${OTHER} – 5 €\r\n`),
  'tree/citat.csv': cp1252(
    `„[REDACTED-NAME]“;[REDACTED-CPR];Æblegården\r\nJens Hansen;010190-1234;Œuvre\r\n`,
  ),
  // Only the name's own letters and marks are replaced: `café`, `Ærø` and `Åbenrå` stay decomposed.
  'tree/mac-noter.txt': Buffer.concat([
    nfd('Møde med '),
    Buffer.from('[REDACTED-NAME]'),
    nfd(` på café Ærø, CPR `),
    Buffer.from('[REDACTED-CPR]'),
    nfd(`.\n${OTHER}, Åbenrå\n`),
  ]),
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('dsr erase redacts legacy and decomposed text in its own encoding and form', () => {
  it('Windows-1252 with € and –, and NFD UTF-8: done, byte-exact outside the spans, nothing of the subject left', () => {
    const dir = tempTree(FILES);
    dirs.push(dir);
    // The fixtures are what the issue describes: the bytes 0x80 and 0x96, and decomposed letters.
    expect(FILES['tree/priser.txt'].includes(0x80) && FILES['tree/priser.txt'].includes(0x96)).toBe(true);
    expect(FILES['tree/mac-noter.txt'].toString('utf8')).toContain('a\u030a');
    const plan = planApproved(scanTree(dir));
    const r = runCli(['erase', plan, '--execute']);
    expect(r.stdout).not.toMatch(/refused|round-trip|still there/);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const [file, bytes] of Object.entries(EXPECTED))
      expect(readFileSync(join(dir, file)).equals(bytes), `${file}: ${readFileSync(join(dir, file))}`).toBe(
        true,
      );

    // A new scan finds nothing of the subject, and the other person's data is all still there.
    const again = runCli([
      'scan',
      join(dir, 'tree'),
      '--subject',
      join(dir, 'subject.json'),
      '--all',
      '--out',
      join(dir, 'after.json'),
    ]);
    expect(again.code, again.stderr).toBe(0);
    const after = JSON.parse(readFileSync(join(dir, 'after.json'), 'utf8'));
    expect(after.findings.filter((f: { subject: boolean }) => f.subject)).toEqual([]);
    expect(after.findings.filter((f: { value: string }) => f.value === '010190-1234')).toHaveLength(3);
  }, 60_000);
});
