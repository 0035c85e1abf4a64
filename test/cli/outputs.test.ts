/**
 * Where the commands write (issue 21, "Output paths and roots"): `-o -` is standard output for the
 * JSON/CSV outputs; `-o` never replaces a symlink, device, FIFO, socket or folder, nor an existing
 * file without `--force`; a root that does not exist or cannot be read stops the scan before it
 * starts; the summary names the files with errors. Runs the built CLI.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli, tempTree, writeSubject } from '../helpers/cli.js';

const dirs: string[] = [];
const temp = (files: Record<string, string> = {}) => {
  const dir = tempTree(files);
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const TEXT = 'Hej Søren Østergård, CPR 150387-1236.\nJens Hansen, CPR 010190-1234.\n';
const asRoot = process.getuid?.() === 0;
/** Runs a command as `nobody` when the tests run as root (mode 000 does not stop root). */
const NOBODY = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : undefined;

/** A tree with the subject, a subject file, and a scan file of it. */
function scanned(): { dir: string; tree: string; subject: string; scan: string } {
  const dir = temp({ 'tree/notes.txt': TEXT });
  const subject = writeSubject(dir);
  const scan = join(dir, 'scan.json');
  const r = runCli(['scan', join(dir, 'tree'), '--subject', subject, '--out', scan]);
  expect(r.code, r.stderr).toBe(0);
  return { dir, tree: join(dir, 'tree'), subject, scan };
}

describe('-o - writes the JSON and CSV outputs to standard output', () => {
  it('dsr scan -o -: stdout is the scan file (it parses through a pipe), the summary goes to stderr', () => {
    const { tree, subject } = scanned();
    const piped = spawnSync(
      'sh',
      [
        '-c',
        `"${process.execPath}" "${CLI}" scan "${tree}" --subject "${subject}" -o - | "${process.execPath}" -e 'let d="";process.stdin.on("data",(c)=>d+=c).on("end",()=>{const s=JSON.parse(d);console.log(s.schema, s.items.length)})'`,
      ],
      { encoding: 'utf8' },
    );
    expect(piped.stdout.trim(), piped.stderr).toBe('dsr.scan/1 1');
    expect(piped.stderr).toContain('Scan file: standard output');

    const r = runCli(['scan', tree, '--subject', subject, '-o', '-']);
    expect(r.code, r.stderr).toBe(0);
    const scan = JSON.parse(r.stdout);
    expect(scan.items[0].evidence).toBe('confirmed');
    expect(r.stderr).toContain("Items with the subject's data: 1");
    expect(r.stderr).not.toContain('150387-1236');
  });

  it('dsr scan -o - into a reader that stops early: exit 2 saying so, no crash', () => {
    const dir = temp({ 'many.txt': 'Karen Jensen, CPR 010190-1234\n'.repeat(5000) });
    // Far more than a pipe holds: the writes after `head` has gone fail with EPIPE.
    const r = spawnSync(
      'sh',
      ['-c', `("${process.execPath}" "${CLI}" scan "${dir}" --all -o -; echo "exit $?" >&2) | head -c 1`],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toBe('{');
    expect(r.stderr).toContain('dsr: standard output was closed before the output was complete (EPIPE)');
    expect(r.stderr).toContain('exit 2');
    expect(r.stderr).not.toContain('Unhandled');
  });

  it('dsr report -o - (json and csv) and dsr plan -o -: the document on stdout, nothing written beside the scan', () => {
    const { dir, scan } = scanned();
    const json = runCli(['report', scan, '--format', 'json', '-o', '-']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).schema).toBe('dsr.report/1');
    expect(json.stderr).toContain('Report (json, da): standard output');
    const csv = runCli(['report', scan, '--format', 'csv', '-o', '-']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toContain('150387-1236');
    // Danish (the default language): the separator Danish Excel expects.
    expect(csv.stdout.split('\n')[0]).toContain('Element-id;Fil;');
    const plan = runCli(['plan', scan, '-o', '-']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).schema).toBe('dsr.plan/1');
    expect(plan.stderr).toContain('redact-text');
    expect(existsSync(join(dir, 'scan.plan.json'))).toBe(false);
    expect(existsSync(join(dir, 'scan.report.json'))).toBe(false);
  });

  it('dsr export refuses --out - with a usage error (a zip is no terminal output)', () => {
    const { scan } = scanned();
    const r = runCli(['export', scan, '--out', '-']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('zip');
    expect(r.stdout).toBe('');
  });
});

describe('-o never replaces a symlink, device, FIFO, socket or folder', () => {
  let server: Server | undefined;
  let places: Record<string, string>;
  let specialDir: string;
  beforeAll(async () => {
    specialDir = mkdtempSync(join(tmpdir(), 'dsr-out-'));
    dirs.push(specialDir);
    const target = join(specialDir, 'precious.json');
    writeFileSync(target, 'precious');
    symlinkSync(target, join(specialDir, 'link-to-file.json'));
    symlinkSync('/dev/null', join(specialDir, 'link-to-device.json'));
    mkdirSync(join(specialDir, 'folder.json'));
    spawnSync('mkfifo', [join(specialDir, 'fifo.json')]);
    server = createServer();
    await new Promise<void>((done) => server!.listen(join(specialDir, 'socket.json'), done));
    // As root, a device node of its own (root would replace /dev/null itself); otherwise /dev/null,
    // whose folder nobody else may write.
    const device = asRoot ? join(specialDir, 'device.json') : '/dev/null';
    if (asRoot) expect(spawnSync('mknod', [device, 'c', '1', '3']).status).toBe(0);
    places = {
      'a symbolic link': join(specialDir, 'link-to-file.json'),
      'a symbolic link ': join(specialDir, 'link-to-device.json'),
      'a device': device,
      'a named pipe (FIFO)': join(specialDir, 'fifo.json'),
      'a socket': join(specialDir, 'socket.json'),
      'a folder': join(specialDir, 'folder.json'),
    };
  });
  afterAll(() => server?.close());

  const kindOf = (path: string) => {
    const st = lstatSync(path);
    return [st.isSymbolicLink(), st.isCharacterDevice(), st.isFIFO(), st.isSocket(), st.isDirectory()];
  };

  it.each([
    [
      'scan',
      (s: ReturnType<typeof scanned>, out: string) => ['scan', s.tree, '--subject', s.subject, '-o', out],
    ],
    [
      'report',
      (s: ReturnType<typeof scanned>, out: string) => ['report', s.scan, '--format', 'json', '-o', out],
    ],
    ['plan', (s: ReturnType<typeof scanned>, out: string) => ['plan', s.scan, '-o', out]],
    ['export', (s: ReturnType<typeof scanned>, out: string) => ['export', s.scan, '-o', out]],
  ])(
    'dsr %s: exit 2 naming the path and what it is; the path is left as it was (also with --force)',
    (_cmd, args) => {
      const s = scanned();
      for (const [what, path] of Object.entries(places)) {
        const before = kindOf(path);
        for (const force of [[], ['--force']]) {
          const r = runCli([...args(s, path), ...force]);
          expect(r.code, `${what}: ${r.stderr}`).toBe(2);
          expect(r.stderr).toContain(`${path} is ${what.trim()}`);
          expect(r.stderr).toContain('-o - for standard output');
          expect(kindOf(path), what).toEqual(before);
        }
      }
      expect(readlinkSync(places['a symbolic link'])).toBe(join(specialDir, 'precious.json'));
      expect(readFileSync(join(specialDir, 'precious.json'), 'utf8')).toBe('precious');
    },
  );
});

describe('an existing output is replaced only with --force', () => {
  it('dsr scan refuses to overwrite a scan file (exit 2, before scanning) and replaces it with --force', () => {
    const s = scanned();
    const before = readFileSync(s.scan, 'utf8');
    const r = runCli(['scan', s.tree, '--subject', s.subject, '-o', s.scan]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${s.scan} already exists; pass --force to replace it`);
    expect(r.stdout).toBe('');
    expect(readFileSync(s.scan, 'utf8')).toBe(before);
    const forced = runCli(['scan', s.tree, '--subject', s.subject, '-o', s.scan, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(s.scan, 'utf8')).scanId).not.toBe(JSON.parse(before).scanId);
  });

  it('dsr plan refuses to overwrite a plan (exit 2), replaces it with --force, and approves a plan in place', () => {
    const s = scanned();
    const planPath = join(s.dir, 'scan.plan.json');
    expect(runCli(['plan', s.scan]).code).toBe(0);
    const before = readFileSync(planPath, 'utf8');
    const again = runCli(['plan', s.scan]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${planPath} already exists; pass --force to replace it`);
    expect(readFileSync(planPath, 'utf8')).toBe(before);
    expect(runCli(['plan', s.scan, '--force']).code).toBe(0);
    const approved = runCli(['plan', planPath, '--approve', '--approved-by', 'DPO']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(readFileSync(planPath, 'utf8')).approval.by).toBe('DPO');
  });

  it('a scan written over its old file: review, plan and report say what to do about the old decisions', () => {
    const s = scanned();
    const oldId = JSON.parse(readFileSync(s.scan, 'utf8')).scanId;
    const decisions = join(s.dir, 'scan.review.json');
    writeFileSync(decisions, JSON.stringify({ schema: 'dsr.review/1', scanId: oldId, decisions: {} }));
    expect(runCli(['scan', s.tree, '--subject', s.subject, '-o', s.scan, '--force']).code).toBe(0);
    for (const args of [
      ['plan', s.scan],
      ['report', s.scan, '-o', join(s.dir, 'r.html')],
    ]) {
      const r = runCli(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toContain(`decisions belong to scan ${oldId}`);
      expect(r.stderr).toContain('made for an earlier scan written to');
      expect(r.stderr).toContain('hint: move scan.review.json away');
      expect(r.stderr).toContain(`dsr review ${s.scan}`);
    }
  });
});

describe('roots', () => {
  it('a root that does not exist: named on stderr (masked), exit 2, nothing scanned, no scan file', () => {
    const s = scanned();
    const out = join(s.dir, 'new.json');
    const missing = join(s.dir, 'gone');
    const byCpr = join(s.dir, '150387-1236');
    const r = runCli(['scan', s.tree, missing, byCpr, '--subject', s.subject, '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${missing}: does not exist`);
    expect(r.stderr).toContain(`${join(s.dir, '1503XX-XXXX')}: does not exist`);
    expect(r.stderr).not.toContain('150387-1236');
    expect(r.stderr).toContain('nothing was scanned');
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('a root that cannot be read: named on stderr, exit 2, no scan file', () => {
    const dir = temp({ 'locked/a.txt': TEXT, 'secret.txt': TEXT });
    const subject = writeSubject(dir);
    const outDir = temp();
    chmodSync(dir, 0o755);
    chmodSync(outDir, 0o777);
    chmodSync(join(dir, 'locked'), 0o000);
    chmodSync(join(dir, 'secret.txt'), 0o000);
    chmodSync(subject, 0o644);
    try {
      for (const root of ['locked', 'secret.txt']) {
        const out = join(outDir, `${root}.json`);
        const r = runCli(['scan', join(dir, root), '--subject', subject, '-o', out], { prefix: NOBODY });
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain(`${join(dir, root)}: cannot be read (permission denied`);
        expect(existsSync(out)).toBe(false);
      }
    } finally {
      chmodSync(join(dir, 'locked'), 0o755);
      chmodSync(join(dir, 'secret.txt'), 0o644);
    }
  });

  it('the summary names the first files with errors (masked), then "and N more"', () => {
    // A file named by someone's CPR number: masked in the list, as every path the summary shows.
    const files: Record<string, string> = { 'ok.txt': TEXT, '010190-1234.txt': TEXT };
    for (let i = 1; i <= 6; i++) files[`locked-${i}.txt`] = TEXT;
    const dir = temp(files);
    const subject = writeSubject(dir);
    const outDir = temp();
    chmodSync(dir, 0o755);
    chmodSync(outDir, 0o777);
    chmodSync(subject, 0o644);
    const locked = Object.keys(files).filter((f) => f !== 'ok.txt');
    for (const f of locked) chmodSync(join(dir, f), 0o000);
    try {
      const r = runCli(['scan', dir, '--subject', subject, '-o', join(outDir, 'scan.json')], {
        prefix: NOBODY,
      });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stdout).toContain('Errors: 7 (7 permission)');
      const listed = r.stdout.split('\n').filter((l) => l.startsWith('  permission '));
      expect(listed).toEqual([
        '  permission 0101XX-XXXX.txt',
        '  permission locked-1.txt',
        '  permission locked-2.txt',
        '  permission locked-3.txt',
        '  permission locked-4.txt',
      ]);
      expect(r.stdout).toContain('  … and 2 more (see "errors" in the scan file)');
      expect(r.stdout).not.toContain('010190-1234');
    } finally {
      for (const f of locked) chmodSync(join(dir, f), 0o644);
    }
  });
});
