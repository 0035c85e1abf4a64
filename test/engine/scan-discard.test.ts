import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScan } from '../../src/engine/scan.js';
import { SUBJECT, tempTree } from '../helpers/cli.js';
import { inPrivateTmpdir } from '../helpers/private-tmpdir.js';

describe('a scan that fails', () => {
  it('leaves no spooled findings in the temporary folder', async () => {
    // 12,000 addresses: past the 4 Mi characters a findings spool keeps in memory.
    const rows = Array.from({ length: 12_000 }, (_, i) => `${i};kunde${i}@example.dk;Vej ${i}\n`).join('');
    const dir = tempTree({ 'kunder.csv': rows });
    let spooled: string[] = [];
    const { result, left } = await inPrivateTmpdir(async () =>
      runScan({
        roots: [dir],
        subject: SUBJECT,
        all: true,
        inProcess: true,
        onResult: () => {
          spooled = readdirSync(process.env.TMPDIR as string, { recursive: true }) as string[];
          throw new Error('the caller failed');
        },
      }).then(
        () => 'finished',
        (err: Error) => err.message,
      ),
    );
    expect(result).toBe('the caller failed');
    expect(spooled.some((f) => f.endsWith('.findings.spool'))).toBe(true);
    expect(left).toEqual([]);
  });
});
