import { basename, dirname, extname, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { checkOutputPath, STDOUT, stdoutSink, writeOutput } from '../../src/io/output.js';
import { isTimeZone, LANGS, type Lang } from '../../src/report/access/i18n.js';
import {
  prepareReport,
  renderCsv,
  renderHtml,
  renderJson,
  renderPdf,
} from '../../src/report/access/index.js';
import { type AccessReport, type SubjectField, subjectFields } from '../../src/report/access/model.js';
import { EXIT } from '../exit-codes.js';
import { addSummary, outputMode, stdoutTaken, tell } from '../output-mode.js';
import { writeSafe } from '../terminal.js';

export type ReportFormat = 'html' | 'json' | 'csv' | 'pdf';
const FORMATS: readonly ReportFormat[] = ['html', 'json', 'csv', 'pdf'];

interface ReportFlags {
  format?: ReportFormat;
  lang: Lang;
  controller?: string;
  includePossible?: boolean;
  out?: string;
  force?: boolean;
  given?: SubjectField[];
  tz?: string;
  csvSeparator?: string;
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
    throw new InvalidArgumentError('--format must be html, pdf, json or csv');
  return value as ReportFormat;
}

function parseTimeZone(value: string): string {
  if (!isTimeZone(value))
    throw new InvalidArgumentError(
      `--tz takes a time zone name such as Europe/Copenhagen or UTC (got "${value}")`,
    );
  return value;
}

function parseSeparator(value: string): string {
  const sep = { ',': ',', ';': ';', tab: '\t', '\t': '\t' }[value];
  if (!sep) throw new InvalidArgumentError('--csv-separator must be , or ; or tab');
  return sep;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Write the access report for the subject of a scan (GDPR art. 15): HTML, PDF, JSON or CSV.')
    .argument('<scan>', 'scan file written by dsr scan (decisions in scan.review.json are read when present)')
    .option(
      '-f, --format <format>',
      'html, pdf, json or csv (default: from the --out extension, else html)',
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
    .option(
      '--tz <zone>',
      'time zone for the times in the report, e.g. Europe/Copenhagen (default: TZ, else the system zone)',
      parseTimeZone,
    )
    .option(
      '--csv-separator <sep>',
      'CSV field separator: , or ; or tab (default: ; for --lang da, as Danish Excel expects; , for en)',
      parseSeparator,
    )
    .option('--force', 'replace the output file if it exists')
    .action(async (scanPath: string, flags: ReportFlags) => {
      process.exitCode = await reportCommand(scanPath, flags);
    });
}

async function reportCommand(scanPath: string, flags: ReportFlags): Promise<number> {
  const named = formatFromName(flags.out);
  const format = flags.format ?? named ?? 'html';
  const ext = flags.out && flags.out !== STDOUT ? extname(flags.out) : '';
  // Never HTML in a .pdf: whoever opens the file gets what its name says.
  if (ext && named !== format)
    throw new UsageError(
      `--out ${flags.out} ends in ${ext}, but the report's format is ${format}`,
      `name the file ….${format}, or pass the --format that the name says (html, pdf, json or csv)`,
    );
  const out = flags.out === STDOUT ? STDOUT : resolve(flags.out ?? defaultReportPath(scanPath, format));
  if (out !== STDOUT) await checkOutputPath(out, { force: Boolean(flags.force) });
  const { report } = await prepareReport(scanPath, {
    lang: flags.lang,
    includePossible: Boolean(flags.includePossible),
    controller: flags.controller,
    given: flags.given,
  });
  if (!report.controller && !outputMode.quiet)
    writeSafe(
      process.stderr,
      'dsr: warning: no --controller profile: the report has no purposes, legal basis or retention and is marked as a draft.\n' +
        '  Pass --controller FILE (see fixtures/controller.example.json) before sending it to the subject.\n',
    );
  const data = await render(report, format, { timeZone: flags.tz, separator: flags.csvSeparator });
  if (out === STDOUT) {
    stdoutTaken();
    await stdoutSink().write(data);
  } else await writeOutput(out, (fh) => fh.writeFile(data), Boolean(flags.force));
  addSummary({
    out: out === STDOUT ? null : out,
    format,
    lang: report.lang,
    draft: report.draft,
    reported: report.selection.reported,
    findings: report.items.reduce((n, i) => n + i.findings.length, 0),
    needsReview: report.selection.needsReview,
  });
  // With the report on standard output, the summary goes to stderr.
  tell(
    out === STDOUT ? process.stderr : process.stdout,
    summaryLine(report, format, out === STDOUT ? 'standard output' : out),
  );
  return EXIT.ok;
}

export async function render(
  report: AccessReport,
  format: ReportFormat,
  opts: { timeZone?: string; separator?: string } = {},
): Promise<string | Uint8Array> {
  if (format === 'json') return renderJson(report);
  if (format === 'csv') return renderCsv(report, { separator: opts.separator });
  const html = renderHtml(report, { timeZone: opts.timeZone });
  return format === 'pdf' ? renderPdf(report, html) : html;
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
  if (possible + namesake > 0)
    lines.push(
      `  Needs review: ${possible} possible, ${namesake} namesake item(s) not included — the report is marked as a draft.`,
      '  Review them (dsr review) or pass --include-possible, then make the report again.',
    );
  return `${lines.join('\n')}\n`;
}
