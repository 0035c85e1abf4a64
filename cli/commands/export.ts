import type { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { displayPath } from '../../src/core/raw-path.js';
import { runExport } from '../../src/export/export.js';
import type { Lang } from '../../src/report/access/i18n.js';
import type { SubjectField } from '../../src/report/access/model.js';
import { loadScanFile } from '../../src/report/load-scan.js';
import { STDOUT } from '../../src/report/output-path.js';
import { EXIT } from '../exit-codes.js';
import { identifierMasker } from '../summary.js';
import { writeSafe } from '../terminal.js';
import { parseGiven, parseLang } from './report.js';

interface ExportFlags {
  out: string;
  lang: Lang;
  controller?: string;
  includePossible?: boolean;
  allowChanged?: boolean;
  force?: boolean;
  given?: SubjectField[];
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'Write a zip with a copy of every reported item, a manifest and the report (GDPR art. 15(3), 20).',
    )
    .argument('<scan>', 'scan file written by dsr scan (decisions in scan.review.json are read when present)')
    .requiredOption('-o, --out <file>', 'zip file to write, e.g. subject-export.zip')
    .option('-l, --lang <lang>', 'language of the report inside the zip: da or en', parseLang, 'da')
    .option('-c, --controller <file>', 'controller profile JSON for the report inside the zip')
    .option(
      '--given <kinds>',
      'identifiers the subject gave, for the report inside the zip (see dsr report)',
      parseGiven,
    )
    .option(
      '--include-possible',
      'also export possible items (name or face tag only) that nobody has reviewed',
    )
    .option(
      '--allow-changed',
      'export items that changed since the scan as they are now (flagged in the manifest)',
    )
    .option('--force', 'replace the zip if it exists')
    .action(async (scanPath: string, flags: ExportFlags) => {
      process.exitCode = await exportCommand(scanPath, flags);
    });
}

async function exportCommand(scanPath: string, flags: ExportFlags): Promise<number> {
  if (flags.out === STDOUT)
    throw new UsageError(
      '--out - is not supported by dsr export: the export is a zip file',
      'give the path of the zip to write, e.g. --out subject-export.zip',
    );
  const password = process.env.DSR_IMAP_PASSWORD;
  const manifest = await runExport(scanPath, {
    out: flags.out,
    lang: flags.lang,
    controller: flags.controller,
    given: flags.given,
    includePossible: Boolean(flags.includePossible),
    allowChanged: Boolean(flags.allowChanged),
    force: Boolean(flags.force),
    imapPassword: password ? password : undefined,
  });
  const changedCopies = manifest.items.filter((i) => i.changed).length;
  const lines = [
    `Export: ${flags.out}`,
    `  ${manifest.items.length} item(s) copied${changedCopies ? ` (${changedCopies} changed since the scan, copied as they are now)` : ''}, with manifest.json, report.json and report.html`,
  ];
  if (manifest.notExported.length) {
    lines.push(`  Not exported: ${manifest.notExported.length} (listed in manifest.json under notExported)`);
    // Where the data lives, for the officer to look at, with identifiers in names masked (a folder
    // named after the subject, a CPR number as a file name): the manifest has them in full.
    const mask = identifierMasker((await loadScanFile(scanPath)).subject);
    for (const n of manifest.notExported)
      lines.push(
        `    ${n.reason.padEnd(10)} ${[n.original.path, ...n.original.itemPath].map(mask).join(' > ')}: ${mask(n.message)}`,
      );
    if (manifest.notExported.some((n) => n.reason === 'changed'))
      lines.push('  Scan again, or pass --allow-changed to copy changed items as they are now.');
  }
  const out = manifest.notExported.length ? process.stderr : process.stdout;
  writeSafe(out, `${lines.join('\n')}\n`);
  return manifest.notExported.length ? EXIT.partial : EXIT.ok;
}
