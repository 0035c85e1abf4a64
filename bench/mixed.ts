/**
 * Bench part `mixed`: a share as it is, the text corpus plus half its size again in mail (a third of
 * the tree: mbox files, a Maildir, .eml files with quoted-printable and base64 bodies and PDF, DOCX
 * and CSV attachments; see mixed-corpus.ts). dsr's subject scan and `--all` against `rg -j2` with the
 * same patterns over the raw bytes, run in turns (dsr, rg, dsr, rg, …) so that both see the same load;
 * the median ratio is the figure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type BenchPart, DSR, formatRow, type Measured, mbPerSec, measure, type Throughput } from './api.js';
import { generateMail, type MailManifest, MIXED_MAIL_VERSION } from './mixed-corpus.js';
import { RG_ALL, RG_SUBJECT, rgCountArgs, textCorpus } from './text.js';
import { BENCH_SUBJECT } from './text-corpus.js';

/** Turns of dsr and rg; the median ratio of the turns is reported. */
const TURNS = 3;

function mixedTree(benchDir: string, sizeMb: number, log: (l: string) => void) {
  const text = textCorpus(benchDir, sizeMb, log);
  const root = join(benchDir, `mixed-${sizeMb}mb`);
  const manifestPath = `${root}.manifest.json`;
  return {
    root,
    async build(): Promise<{ mail: MailManifest; files: number; bytes: number }> {
      if (existsSync(manifestPath) && existsSync(root)) {
        const mail = JSON.parse(readFileSync(manifestPath, 'utf8')) as MailManifest;
        if (mail.version === MIXED_MAIL_VERSION) {
          log(`corpus: reusing ${root}`);
          return { mail, files: text.m.files + mail.files, bytes: text.m.bytes + mail.bytes };
        }
      }
      log(`corpus: ${root}: the text corpus (hard links) and ~${Math.round(sizeMb / 2)} MB of mail …`);
      const t = Date.now();
      const mail = await generateMail(root, (text.m.bytes / 2) | 0);
      execFileSync('cp', ['-al', text.dir, join(root, 'text')]);
      writeFileSync(manifestPath, JSON.stringify(mail, null, 2));
      log(
        `corpus: ${mail.messages} messages in ${mail.files} files, ${(mail.bytes / 1048576).toFixed(0)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s`,
      );
      return { mail, files: text.m.files + mail.files, bytes: text.m.bytes + mail.bytes };
    },
  };
}

/** The planted messages dsr found: by the Message-ID in an mbox message's item path, or by file. */
function plantedFound(
  scanFile: string,
  root: string,
  mail: MailManifest,
): { found: number; missed: string[] } {
  const findings = JSON.parse(readFileSync(scanFile, 'utf8')).findings as {
    path: string;
    itemPath: string[];
  }[];
  const seen = new Set<string>();
  for (const f of findings) {
    seen.add(relative(root, f.path));
    for (const s of f.itemPath) seen.add(s.replace(/^message /, ''));
  }
  const missed = mail.planted.filter((p) => !seen.has(p.where)).map((p) => `${p.kind} ${p.where}`);
  return { found: mail.planted.length - missed.length, missed };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function uptime(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
}

const mixed: BenchPart = {
  name: 'mixed',
  description:
    'the text corpus plus a third of the tree as mail (mbox, Maildir, .eml; QP, base64, attachments)',
  async run({ sizeMb, benchDir, rg, log }) {
    const tree = mixedTree(benchDir, sizeMb, log);
    const { mail, files, bytes } = await tree.build();
    const outDir = join(benchDir, 'out');
    mkdirSync(outDir, { recursive: true });
    const subject = join(benchDir, 'subject.json');
    writeFileSync(subject, JSON.stringify(BENCH_SUBJECT));
    log(
      `${files} files, ${(bytes / 1048576).toFixed(1)} MB, of which mail ${(mail.bytes / 1048576).toFixed(1)} MB (${mail.messages} messages, ${mail.planted.length} about the subject)\n`,
    );
    const set = { files, bytes };
    const scanFile = (mode: string) => join(outDir, `mixed-${sizeMb}mb-${mode}.scan.json`);
    const dsr = (mode: string, extra: string[]) => [
      DSR,
      'scan',
      tree.root,
      '--subject',
      subject,
      '--no-progress',
      '--force',
      '--out',
      scanFile(mode),
      ...extra,
    ];
    const rgArgs = (patterns: string[]) => rgCountArgs(patterns, tree.root);
    const once = async (label: string, cmd: string, args: string[], ok: number[]): Promise<Throughput> => {
      const m: Measured = await measure(cmd, args);
      if (m.code === null || !ok.includes(m.code))
        throw new Error(`${label} failed (exit ${m.code}): ${m.stderr.slice(-2000)}`);
      const t = { label, ...set, m };
      log(formatRow(t));
      return t;
    };
    // dsr exits 3 when an item had an error entry (the bench's mail has none, but a share may).
    const turns = async (mode: string, extra: string[], patterns: string[]) => {
      const ratios: number[] = [];
      let peak = 0;
      for (let turn = 0; turn < TURNS; turn++) {
        const d = await once(`dsr scan ${mode}`, process.execPath, dsr(mode, extra), [0, 3]);
        peak = Math.max(peak, d.m.peakRssKb ?? 0);
        if (!rg) continue;
        const r = await once(`rg ${mode} patterns`, rg, rgArgs(patterns), [0, 1]);
        ratios.push(mbPerSec(d) / mbPerSec(r));
      }
      return { ratios, peak };
    };
    log(`load average before: ${uptime()}`);
    const subj = await turns('subject', [], RG_SUBJECT);
    const all = await turns('--all', ['--all'], RG_ALL);
    log(`load average after: ${uptime()}`);
    const fmt = (r: { ratios: number[]; peak: number }) =>
      `${r.ratios.length ? `${median(r.ratios).toFixed(2)}x (turns ${r.ratios.map((x) => x.toFixed(2)).join(', ')})` : 'no rg'}, peak RSS ${Math.round(r.peak / 1024)} MB`;
    log('');
    log(`ratio dsr/rg (throughput, median of ${TURNS} turns): subject ${fmt(subj)}; --all ${fmt(all)}`);
    const { found, missed } = plantedFound(scanFile('subject'), tree.root, mail);
    log(
      `sanity: messages about the subject found ${found} of ${mail.planted.length} planted${missed.length ? `; missed: ${missed.join(', ')}` : ''}`,
    );
  },
};

export default mixed;
