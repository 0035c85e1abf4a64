import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../cli/review/scan-index.js';
import { deletedWhole, initialState, reduce } from '../../cli/review/state.js';
import { makeScan } from '../helpers/make-scan.js';

const AT = '2026-02-03T04:05:06.000Z';

function scan() {
  const s = makeScan([
    { id: 'doc', rel: 'hr/kontrakt.docx', evidence: 'confirmed', detectors: ['cpr'] },
    { id: 'txt', rel: 'hr/noter.txt', evidence: 'confirmed', detectors: ['cpr'] },
    { id: 'shared', rel: 'hr/liste.xlsx', evidence: 'confirmed', detectors: ['cpr'], others: { cpr: 2 } },
  ]);
  for (const i of s.items) if (/\.(docx|xlsx)$/.test(i.path)) i.format = 'office';
  return s;
}

describe('including a file that will be deleted whole', () => {
  it('tells a document dsr cannot edit from text it can redact and from a file with others in it', () => {
    const [doc, txt, shared] = scan().items;
    expect([deletedWhole(doc), deletedWhole(txt), deletedWhole(shared)]).toEqual([true, false, false]);
  });

  it('says so when the item is included (i) and when a includes it with the others', () => {
    let s = initialState(buildIndex(scan()), { decisions: {} }, 'anna');
    const at = (id: string) => s.view.positions.indexOf(s.index.posById.get(id)!);
    s = reduce({ ...s, cursor: at('doc') }, { type: 'decide', decision: 'include', at: AT, height: 10 });
    expect(s.status).toContain('an erasure plan deletes this file whole');
    s = reduce({ ...s, cursor: at('txt') }, { type: 'decide', decision: 'include', at: AT, height: 10 });
    expect(s.status).not.toContain('whole');
    let t = initialState(buildIndex(scan()), { decisions: {} }, 'anna');
    t = reduce(t, { type: 'includeConfirmed', at: AT });
    expect(t.status).toContain(
      'include 3 confirmed items in view; 1 of them is a document an erasure plan deletes whole',
    );
  });
});
