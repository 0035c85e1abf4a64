import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { type Action, buildPlan } from '../../src/erase/plan.js';
import { tempTree } from '../helpers/cli.js';
import { readJson, writeScan } from '../helpers/erase.js';

/** The planning rule for archive members and Office files, on a hand-built scan. */
describe('buildPlan: Office documents and archive members', () => {
  const sha = (c: string) => c.repeat(64);
  const member = (id: string, path: string, itemPath: string[], extra: object = {}) => ({
    id,
    path,
    itemPath,
    format: 'text',
    fingerprint: { offset: 0, length: 10, sha256: sha(id.slice(-1)) },
    ...extra,
  });
  const scan = readJson<ScanFile>(
    writeScan(
      tempTree(),
      ['/r'],
      [
        member('a1', '/r/a.zip', ['member notes.txt'], { others: { phone: 1 } }),
        member('a2', '/r/a.zip', ['member Søren_Østergård.txt']),
        member('a3', '/r/a.zip', ['member inner.zip', 'member doc.docx'], { format: 'office' }),
        member('b1', '/r/b.zip', ['member cv.pdf'], { format: 'pdf', others: { email: 1 } }),
        member('c1', '/r/c.zip', ['member own.pdf'], { format: 'pdf' }),
        member('d1', '/r/d.zip', ['member x.docx'], { format: 'office' }),
        member('d2', '/r/d.zip', ['member x.docx', 'member word/embeddings/y.xlsx'], { format: 'office' }),
        member('e1', '/r/letter.txt.gz', ['member letter.txt']),
        member('f1', '/r/mail.eml', ['attachment cv.txt']),
        {
          id: 'o1',
          path: '/r/doc.docx',
          format: 'office',
          others: { cpr: 1 },
          fingerprint: { size: 1, sha256: sha('o') },
        },
      ],
      [
        { itemId: 'a1', location: { field: 'body', offset: 3 } },
        { itemId: 'a2', detector: 'name', value: 'Søren Østergård', location: { field: 'path' } },
        { itemId: 'a3', location: { field: 'body', offset: 5 } },
        { itemId: 'b1', location: { field: 'body' } },
        { itemId: 'c1', location: { field: 'body' } },
        { itemId: 'd1', location: { field: 'body' } },
        { itemId: 'd2', location: { field: 'body' } },
        { itemId: 'e1', detector: 'name', value: 'Søren Østergård', location: { field: 'path' } },
        { itemId: 'e1', location: { field: 'body' } },
        { itemId: 'f1', location: { field: 'body' } },
        { itemId: 'o1', location: { field: 'body', offset: 9 } },
      ],
    ),
  );
  const plan = buildPlan(scan, undefined, {});
  const at = (path: string): Action => plan.actions.find((a) => a.path === path)!;
  const reason = (a: Action) => (a.kind === 'manual' ? a.reason : '');

  it('removes a member named after the subject with nobody else in it, redacts text and Office members, nested ones too', () => {
    const a = at('/r/a.zip');
    expect(
      a.kind === 'edit-archive' && a.members.map((m) => [m.itemPath.join(' › '), m.change, m.fingerprint]),
    ).toEqual([
      ['member Søren_Østergård.txt', 'remove', { sha256: sha('2'), length: 10 }],
      ['member inner.zip › member doc.docx', 'redact', { sha256: sha('3'), length: 10 }],
      ['member notes.txt', 'redact', { sha256: sha('1'), length: 10 }],
    ]);
    expect(a.rule).toBe('archive-members');
  });

  it('leaves the archive manual, naming the member, when a member can be neither redacted nor removed', () => {
    expect([at('/r/b.zip').kind, at('/r/b.zip').rule]).toEqual(['manual', 'inside-container']);
    expect(reason(at('/r/b.zip'))).toContain('member cv.pdf also holds other people');
    expect(reason(at('/r/c.zip'))).toContain('include it in review');
    // A document holding the subject's data that also holds an embedded object with it.
    expect(reason(at('/r/d.zip'))).toContain('items inside it');
    // The one file in a .gz is redacted, never removed (that would be deleting the file).
    const gz = at('/r/letter.txt.gz');
    expect(gz.kind === 'edit-archive' && gz.members.map((m) => m.change)).toEqual(['redact']);
    // An attachment is not an archive member.
    expect(at('/r/mail.eml').kind).toBe('manual');
  });

  it('a reviewer’s include removes a member that cannot be redacted and holds nobody else', () => {
    const decisions = { c1: { decision: 'include' as const, by: 'r', at: 'now' } };
    const reviewed = buildPlan(scan, { schema: 'dsr.review/2', scanId: scan.scanId, decisions }, {});
    const c = reviewed.actions.find((a) => a.path === '/r/c.zip')!;
    expect(c.kind === 'edit-archive' && c.members.map((m) => m.change)).toEqual(['remove']);
  });

  it('redacts an Office document holding other people’s identifiers, never deletes it', () => {
    expect([at('/r/doc.docx').kind, at('/r/doc.docx').rule]).toEqual(['redact-office', 'shared-file-redact']);
  });
});
