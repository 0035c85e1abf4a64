import { basename, dirname, extname, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { checkOutputPath, STDOUT, writeTextOutput } from '../../src/io/output.js';
import { LANGS, type Lang } from '../../src/report/access/i18n.js';
import { prepareReport, renderCsv, renderHtml, renderJson } from '../../src/report/access/index.js';
import { type AccessReport, type SubjectField, subjectFields } from '../../src/report/access/model.js';
import { EXIT } from '../exit-codes.js';
import { writeSafe } from '../terminal.js';

export type ReportFormat = 'html' | 'json' | 'csv';
const FORMATS: readonly ReportFormat[] = ['html', 'json', 'csv'];

interface ReportFlags {
  format?: ReportFormat;
  lang: Lang;
  controller?: string;
  includePossible?: boolean;
  out?: string;
  force?: boolean;
  given?: SubjectField[];
}

/** `--given email,cpr`: the kinds of identifier the subject gave in the request. */
export function parseGiven(value: string): SubjectField[] {
  const kinds = value
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  for (const k of kinds)
    if (!subjectFields().includes(k))
      throw new InvalidArgumentError(
        `--given takes a comma list of ${subjectFields().join(', ')} (got "${k}")`,
      );
  return kinds as SubjectField[];
}

export function parseLang(value: string): Lang {
  if (!LANGS.includes(value as Lang)) throw new InvalidArgumentError('--lang must be da or en');
  return value as Lang;
}

function parseFormat(value: string): ReportFormat {
  if (!FORMATS.includes(value as ReportFormat))
    throw new InvalidArgumentError('--format must be html, json or csv');
  return value as ReportFormat;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Write the access report for the subject of a scan (GDPR art. 15): HTML, JSON or CSV.')
    .argument('<scan>', 'scan file written by dsr scan (decisions in scan.review.json are read when present)')
    .option(
      '-f, --format <format>',
      'html, json or csv (default: from the --out extension, else html)',
      parseFormat,
    )
    .option('-l, --lang <lang>', 'language of the report: da or en', parseLang, 'da')
    .option(
      '-c, --controller <file>',
      'controller profile JSON: organisation, contact, purposes, legal basis, retention per category',
    )
    .option(
      '--given <kinds>',
      'identifiers the subject gave in the request, e.g. name,email; the others are masked in the header (default: all)',
      parseGiven,
    )
    .option(
      '--include-possible',
      'also report possible items (name or face tag only) that nobody has reviewed',
    )
    .option(
      '-o, --out <file>',
      'file to write, - for standard output (default: beside the scan, SCAN.report.FORMAT)',
    )
    .option('--force', 'replace the output file if it exists')
    .action(async (scanPath: string, flags: ReportFlags) => {
      process.exitCode = await reportCommand(scanPath, flags);
    });
}

async function reportCommand(scanPath: string, flags: ReportFlags): Promise<number> {
  const format = flags.format ?? formatFromName(flags.out) ?? 'html';
  const out = flags.out === STDOUT ? STDOUT : resolve(flags.out ?? defaultReportPath(scanPath, format));
  if (out !== STDOUT) await checkOutputPath(out, { force: Boolean(flags.force) });
  const { report } = await prepareReport(scanPath, {
    lang: flags.lang,
    includePossible: Boolean(flags.includePossible),
    controller: flags.controller,
    given: flags.given,
  });
  const text = render(report, format);
  await writeTextOutput(out, text, Boolean(flags.force));
  // With the report on standard output, the summary goes to stderr.
  writeSafe(
    out === STDOUT ? process.stderr : process.stdout,
    summaryLine(report, format, out === STDOUT ? 'standard output' : out),
  );
  return EXIT.ok;
}

export function render(report: AccessReport, format: ReportFormat): string {
  if (format === 'json') return renderJson(report);
  if (format === 'csv') return renderCsv(report);
  return renderHtml(report);
}

function formatFromName(out: string | undefined): ReportFormat | undefined {
  const ext = out ? extname(out).slice(1).toLowerCase() : '';
  if (ext === 'htm') return 'html';
  return FORMATS.includes(ext as ReportFormat) ? (ext as ReportFormat) : undefined;
}

function defaultReportPath(scanPath: string, format: ReportFormat): string {
  const base = basename(scanPath).replace(/\.json$/i, '');
  if (!base) throw new UsageError(`${scanPath}: not a file name`);
  return join(dirname(scanPath), `${base}.report.${format}`);
}

/** Counts only: identifiers never go to the terminal. */
function summaryLine(r: AccessReport, format: ReportFormat, out: string): string {
  const findings = r.items.reduce((n, i) => n + i.findings.length, 0);
  const { possible, namesake } = r.selection.needsReview;
  const lines = [
    `Report (${format}, ${r.lang}): ${out}`,
    `  ${r.selection.reported} item${r.selection.reported === 1 ? '' : 's'}, ${findings} finding${findings === 1 ? '' : 's'} reported` +
      (r.selection.kept ? `; ${r.selection.kept} kept by a reviewer (reported with the reason)` : '') +
      (r.selection.excludedByReviewer ? `; ${r.selection.excludedByReviewer} left out by a reviewer` : ''),
  ];
  if (r.draft)
    lines.push(
      `  Needs review: ${possible} possible, ${namesake} namesake item(s) not included — the report is marked as a draft.`,
      '  Review them (dsr review) or pass --include-possible, then make the report again.',
    );
  return `${lines.join('\n')}\n`;
}
