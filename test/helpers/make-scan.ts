import type { DetectorId, Evidence, Finding, ItemRecord, ScanFile } from '../../src/core/types.js';

export const ROOT = '/srv/share';

export interface ItemSpec {
  id: string;
  /** Path under ROOT. */
  rel: string;
  evidence: Evidence;
  detectors?: DetectorId[];
  itemPath?: string[];
  message?: ItemRecord['message'];
  others?: ItemRecord['others'];
  findings?: Partial<Finding>[];
}

/** A small in-memory scan file with the given items; every item gets one finding per detector. */
export function makeScan(specs: ItemSpec[], extra: Partial<ScanFile> = {}): ScanFile {
  const items: ItemRecord[] = [];
  const findings: Finding[] = [];
  for (const s of specs) {
    const detectors = s.detectors ?? ['name'];
    const path = `${ROOT}/${s.rel}`;
    items.push({
      id: s.id,
      path,
      itemPath: s.itemPath ?? [],
      evidence: s.evidence,
      detectors,
      fingerprint: { size: 42, mtimeMs: Date.UTC(2026, 0, 2, 3, 4, 5), sha256: 'ab'.repeat(32) },
      format: 'text',
      ...(s.message ? { message: s.message } : {}),
      ...(s.others ? { others: s.others } : {}),
      scannedAt: '2026-01-02T03:04:05.678Z',
    });
    const base = (d: DetectorId, i: number): Finding => ({
      id: `${s.id}-f${i}`,
      path,
      itemPath: s.itemPath ?? [],
      itemId: s.id,
      detector: d,
      subject: true,
      value: VALUE[d],
      confidence: 0.9,
      evidence: s.evidence,
      location: { field: 'body', line: 1, column: 1, offset: 0 },
      context: `${VALUE[d]} is here`,
    });
    detectors.forEach((d, i) => {
      findings.push(base(d, i));
    });
    (s.findings ?? []).forEach((f, i) => {
      findings.push({ ...base(f.detector ?? 'name', 100 + i), ...f });
    });
  }
  return {
    schema: 'dsr.scan/1',
    scanId: 'scan-1',
    startedAt: '2026-01-02T03:00:00.000Z',
    finishedAt: '2026-01-02T03:10:00.000Z',
    roots: [ROOT],
    subject: {
      name: 'Søren Kjærgaard Østergård',
      emails: ['soren.ostergard@example.dk'],
      phones: ['+45 21 43 65 87'],
      cpr: ['150387-1236'],
    },
    stats: { files: specs.length, items: specs.length, bytes: 0, skipped: 0, errors: 0 },
    findings,
    items,
    errors: [],
    ...extra,
  };
}

const VALUE: Record<DetectorId, string> = {
  cpr: '150387-1236',
  email: 'soren.ostergard@example.dk',
  phone: '+4521436587',
  name: 'Søren Østergård',
  face: 'Søren Kjærgaard Østergård',
};

/** The scan used by most review tests: two folders, a mailbox and an archive. */
export function sampleScan(): ScanFile {
  return makeScan([
    { id: 'c1', rel: 'home/anna/cv.txt', evidence: 'confirmed', detectors: ['cpr', 'name'] },
    { id: 'c2', rel: 'home/anna/notes.txt', evidence: 'confirmed', detectors: ['email'] },
    {
      id: 'm1',
      rel: 'mail/inbox.mbox',
      itemPath: ['message <a@example.dk>'],
      evidence: 'confirmed',
      detectors: ['phone'],
      message: { kind: 'mbox', itemPath: ['message <a@example.dk>'], fingerprint: { offset: 0, length: 10 } },
    },
    { id: 'p1', rel: 'shared/meeting.txt', evidence: 'possible', detectors: ['name'] },
    { id: 'z1', rel: 'shared/old.zip', itemPath: ['list.txt'], evidence: 'possible', detectors: ['name'] },
    { id: 'n1', rel: 'shared/other.txt', evidence: 'namesake', detectors: ['name'], others: { cpr: 1 } },
  ]);
}
