import { relative } from 'node:path';
import { type DetectorRegistry, registry as detectors } from '../detectors/index.js';
import { compareStrings } from '../src/core/order.js';
import { displayPath } from '../src/core/raw-path.js';
import type { Finding, ItemRecord, ScanError, ScanStats, Subject } from '../src/core/types.js';
import { compileSubject, EMPTY_SUBJECT } from '../src/match/subject.js';
import type { ScanWriter } from '../src/scan-file/writer.js';
import { countBy } from './output-mode.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Hides the subject's name where a path is named after them: `Søren_Østergård/cv.txt` -> `S._Ø./cv.txt`. */
export function maskPath(
  path: string,
  pathFindings: readonly Finding[],
  registry: DetectorRegistry = detectors,
): string {
  let out = path;
  for (const f of pathFindings) {
    const words = f.value
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    if (!words.length) continue;
    out = out.replace(new RegExp(words.join('[ _.\\-]+'), 'giu'), (m) => maskInPath(registry, f.detector, m));
  }
  return out;
}

/**
 * Masks every identifier the detectors find in a path, anyone's (a CPR number as a file name, a folder
 * named after the subject or their e-mail address), for terminal output:
 * `hr/Søren_Østergård/150387-1236.pdf` -> `hr/S._Ø./1503XX-XXXX.pdf`. The path is read twice, as it is
 * (an e-mail address keeps its dots) and with `_ . / - \` as spaces (words of a name, a number's parts).
 */
export function identifierMasker(
  subject: Subject | null,
  registry: DetectorRegistry = detectors,
): (path: string) => string {
  const compiled = subject && Object.keys(subject).length ? compileSubject(subject) : EMPTY_SUBJECT;
  let lastIn: string | undefined;
  let lastOut = '';
  const detect = (text: string) =>
    registry.list.flatMap((d) =>
      d.detect({ text, field: 'path', structured: true }, { subject: compiled, all: true }),
    );
  return (path) => {
    if (path === lastIn) return lastOut;
    const spans = [...detect(path), ...detect(path.replace(/[_./\\-]/g, ' '))].sort(
      (a, b) => a.start - b.start || b.end - a.end,
    );
    let out = '';
    let at = 0;
    for (const c of spans) {
      if (c.start < at) continue;
      const raw = path.slice(c.start, c.end);
      out += path.slice(at, c.start) + maskInPath(registry, c.detector, raw);
      at = c.end;
    }
    lastIn = path;
    lastOut = out + path.slice(at);
    return lastOut;
  };
}

/**
 * A value as a path writes it, masked: a name's words may be joined by `_`, `.` or `-` there
 * (`Søren_Østergård` -> `S._Ø.`), where an identifier's separators are its own.
 */
function maskInPath(registry: DetectorRegistry, detector: string, written: string): string {
  if (!registry.isName(detector)) return registry.mask(detector, written);
  return registry.mask(detector, written.replace(/[_.-]+/g, ' ')).replace(/ /g, '_');
}

export interface SummaryInput {
  subject: Subject;
  roots: string[];
  stats: ScanStats;
  items: ItemRecord[];
  findingCounts: Map<string, number>;
  pathFindings: Map<string, Finding[]>;
  skippedReasons: Map<string, number>;
  errorsByKind: Map<string, number>;
  /** The first errors in path order (the scan file lists them all). */
  firstErrors?: ScanError[];
  elapsedMs: number;
  outPath: string;
  interrupted: boolean;
  maxItems?: number;
  /** @default detectors/index.ts */
  registry?: DetectorRegistry;
}

/** What a scan's summary reads from its writer, once every result is in. */
export function writerTotals(
  writer: ScanWriter,
): Omit<SummaryInput, 'subject' | 'elapsedMs' | 'outPath' | 'interrupted'> {
  return {
    roots: writer.header.roots,
    stats: writer.stats,
    items: writer.items,
    findingCounts: writer.findingCounts,
    pathFindings: writer.pathNameFindings,
    skippedReasons: writer.skippedReasons,
    errorsByKind: writer.errorKinds,
    firstErrors: writer.firstErrors,
  };
}

/** The end-of-scan summary for a terminal: counts and locations, every identifier masked. */
export function formatSummary(s: SummaryInput): string {
  const registry = s.registry ?? detectors;
  const lines: string[] = [];
  const subj = registry.maskProfile(s.subject);
  lines.push(
    `dsr scan${s.interrupted ? ' (interrupted: partial results)' : ''}${subj ? ` — subject ${subj}` : ''}`,
  );
  lines.push(
    `Searched ${s.stats.files} files, ${s.stats.items} items, ${formatBytes(s.stats.bytes)} under ${s.roots.length} root${s.roots.length === 1 ? '' : 's'} in ${(s.elapsedMs / 1000).toFixed(1)} s`,
  );
  const byEvidence = { confirmed: 0, possible: 0, namesake: 0 };
  for (const i of s.items) byEvidence[i.evidence]++;
  lines.push('');
  lines.push(`Items with the subject's data: ${s.items.length}`);
  const confirming = registry.list.filter((d) => d.evidence.subject === 'confirmed');
  const naming = registry.list.filter((d) => d.evidence.subject === 'possible');
  const telling = registry.list.filter((d) => d.evidence.namesake);
  lines.push(`  confirmed  ${byEvidence.confirmed}   (${registry.listShort(confirming)} of the subject)`);
  lines.push(`  possible   ${byEvidence.possible}   (${registry.listShort(naming)} only: needs review)`);
  lines.push(
    `  namesake   ${byEvidence.namesake}   (the name next to someone else's ${registry.listShort(telling)})`,
  );
  const counted = new Set([...s.findingCounts.keys()].map((k) => k.slice(0, k.lastIndexOf(':'))));
  const det = [...new Set([...registry.ids, ...counted])]
    .sort(registry.compare)
    .map((d) => {
      const mine = s.findingCounts.get(`${d}:subject`) ?? 0;
      const other = s.findingCounts.get(`${d}:other`) ?? 0;
      return mine || other ? `${d} ${mine}${other ? ` (+${other} others)` : ''}` : '';
    })
    .filter(Boolean);
  lines.push(`Findings: ${det.length ? det.join(' · ') : 'none'}`);
  const skipped = [...s.skippedReasons].map(([r, n]) => `${n} ${r}`).join(', ');
  const errors = [...s.errorsByKind].map(([k, n]) => `${n} ${k}`).join(', ');
  lines.push(
    `Skipped: ${s.stats.skipped}${skipped ? ` (${skipped})` : ''}   Errors: ${s.stats.errors}${errors ? ` (${errors})` : ''}`,
  );
  const rootOf = (p: string) => s.roots.find((r) => p.startsWith(`${r}/`)) ?? '';
  const mask = identifierMasker(s.subject, registry);
  /** A place as the terminal may show it: below its root, identifiers in names masked. */
  const shownPlace = (path: string, itemPath: readonly string[]) => {
    const root = rootOf(path);
    const found = s.pathFindings.get(path) ?? [];
    const shown = displayPath(mask(maskPath(root ? relative(root, path) : path, found, registry)));
    return itemPath.length
      ? `${shown} › ${itemPath.map((p) => displayPath(mask(maskPath(p, found, registry)))).join(' › ')}`
      : shown;
  };
  const firstErrors = s.firstErrors ?? [];
  for (const e of firstErrors) lines.push(`  ${e.kind.padEnd(10)} ${shownPlace(e.path, e.itemPath)}`);
  if (firstErrors.length && s.stats.errors > firstErrors.length)
    lines.push(`  … and ${s.stats.errors - firstErrors.length} more (see "errors" in the scan file)`);
  if (s.items.length) {
    lines.push('');
    const max = s.maxItems ?? 20;
    const order = { confirmed: 0, namesake: 1, possible: 2 };
    const sorted = [...s.items].sort(
      (a, b) => order[a.evidence] - order[b.evidence] || compareStrings(a.path, b.path),
    );
    for (const item of sorted.slice(0, max))
      lines.push(
        `  ${item.evidence.padEnd(10)} ${shownPlace(item.path, item.itemPath)}  [${item.detectors.join(', ')}]`,
      );
    if (sorted.length > max) lines.push(`  … and ${sorted.length - max} more (see the scan file)`);
  }
  lines.push('');
  lines.push(`Scan file: ${s.outPath}`);
  return `${lines.join('\n')}\n`;
}

/** The --json summary of a scan: where it went, counts by evidence, detector and error kind. */
export function scanSummary(
  outPath: string | undefined,
  interrupted: boolean,
  writer: {
    stats: object;
    items: readonly { evidence: string }[];
    findingCounts: Map<string, number>;
    errorKinds: Map<string, number>;
  },
): Record<string, unknown> {
  return {
    out: outPath ?? null,
    interrupted,
    stats: writer.stats,
    items: { confirmed: 0, possible: 0, namesake: 0, ...countBy(writer.items.map((i) => i.evidence)) },
    findings: findingsByWhose(writer.findingCounts),
    errors: Object.fromEntries(writer.errorKinds),
  };
}

/** `cpr:subject` → `{ subject: { cpr: n } }`: the scan's finding counts for the --json summary. */
function findingsByWhose(counts: Map<string, number>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [key, n] of counts) {
    const [detector, whose = 'subject'] = key.split(':');
    out[whose] ??= {};
    out[whose][detector] = n;
  }
  return out;
}
