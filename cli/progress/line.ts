import type { ScanProgress } from '../../src/engine/scan.js';
import { formatBytes } from '../summary.js';

/** The parts of the progress line, so that the Ink view can colour findings and errors. */
export interface ProgressParts {
  /** `120/300 files · 50 MB/120 MB · 42% · ETA 1:40` or, while the walk goes on, `120 of 300+ files · …` */
  done: string;
  rate: string;
  findings: string;
  errors: string;
  elapsed: string;
  folder: string;
}

/**
 * What a scan has done of what is known: files and bytes read of those the walk has found so far
 * (`300+` while it still walks), then, once the walk has ended, the share done (by bytes) and the
 * time left at the rate so far; the rate, findings and errors so far. Never a value or a file name:
 * the folder being read (its name masked by the caller).
 */
export function progressParts(p: ScanProgress): ProgressParts {
  const secs = Math.max(0.001, p.elapsedMs / 1000);
  const w = p.walk;
  let done = `${p.files} files · ${formatBytes(p.bytes)}`;
  if (w?.done && w.files) {
    const share = w.bytes ? Math.min(1, p.bytes / w.bytes) : Math.min(1, p.files / w.files);
    const eta = share > 0 && share < 1 ? ` · ETA ${formatElapsed((p.elapsedMs * (1 - share)) / share)}` : '';
    done = `${p.files}/${w.files} files · ${formatBytes(p.bytes)}/${formatBytes(w.bytes)} · ${Math.floor(share * 100)}%${eta}`;
  } else if (w?.files)
    done = `${p.files} of ${w.files}+ files · ${formatBytes(p.bytes)} of ${formatBytes(w.bytes)}+`;
  return {
    done,
    rate: `${formatBytes(p.bytes / secs)}/s`,
    findings: `${p.findings} finding${p.findings === 1 ? '' : 's'}`,
    errors: `${p.errors} error${p.errors === 1 ? '' : 's'}`,
    elapsed: formatElapsed(p.elapsedMs),
    folder: p.current ? folderOf(p.current) : '',
  };
}

/** The whole line, cut to the terminal's width (the folder goes first). */
export function progressText(p: ScanProgress, width: number): string {
  const x = progressParts(p);
  const line = [x.done, x.rate, x.findings, x.errors, x.elapsed].join(' · ');
  const room = width - 1 - line.length - 3;
  const folder = x.folder && room > 8 ? ` · ${fitLeft(x.folder, room)}` : '';
  const all = line + folder;
  return all.length > width - 1 ? `${all.slice(0, Math.max(0, width - 2))}…` : all;
}

function fitLeft(s: string, n: number): string {
  return s.length <= n ? s : `…${s.slice(s.length - n + 1)}`;
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash > 0 ? path.slice(0, slash) : path;
}

/** `75 s` -> `1:15` */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
