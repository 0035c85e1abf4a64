/**
 * What every modern command-line tool has, run through the built CLI: --version, shell completion,
 * -q/--quiet, --json, NO_COLOR, and `dsr` alone printing help with exit 2.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, PROJECT, runCli, tempTree, writeSubject } from '../helpers/cli.js';

const PKG = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { version: string };

describe('dsr global flags', () => {
  let dir: string;
  let subject: string;
  beforeAll(() => {
    dir = tempTree({ 'share/a.txt': 'Søren Kjærgaard Østergård, CPR 150387-1236\n' }, 'dsr-flags-');
    subject = writeSubject(dir);
  });

  it('dsr alone prints the help on stderr and exits 2', () => {
    const r = runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: dsr [options] [command]');
    expect(r.stderr).toContain('completion <shell>');
  });

  it('--version prints the package version', () => {
    for (const flag of ['--version', '-V']) {
      const r = runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(PKG.version);
    }
  });

  it('prints completion scripts for bash, zsh and fish that name every command and its flags', () => {
    const bash = runCli(['completion', 'bash']);
    expect(bash.code).toBe(0);
    // bash itself reads it and completes `dsr rep` and `dsr report --la`.
    const complete = (line: string) =>
      execFileSync(
        'bash',
        [
          '-c',
          `${bash.stdout}\nCOMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _dsr; echo "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      ).trim();
    expect(complete('dsr rep')).toBe('report');
    expect(complete('dsr report --la')).toBe('--lang');
    expect(complete('dsr scan --no-pro')).toBe('--no-progress');
    const zsh = runCli(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef dsr/);
    expect(zsh.stdout).toContain("'--csv-separator[");
    const fish = runCli(['completion', 'fish']);
    expect(fish.stdout).toContain("complete -c dsr -n '__fish_seen_subcommand_from report' -l tz");
    const bad = runCli(['completion', 'powershell']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bash, zsh or fish');
  });

  it('--json prints one JSON summary line on stdout, for a good run and a usage error', () => {
    const scan = join(dir, 'scan.json');
    const r = runCli(['scan', join(dir, 'share'), '--subject', subject, '--out', scan, '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const s = JSON.parse(lines[0]);
    expect(s).toMatchObject({ command: 'scan', exitCode: 0, out: scan, stats: { files: 1, items: 1 } });
    expect(s.findings.subject).toMatchObject({ cpr: 1, name: 1 });
    expect(r.stdout).not.toContain('150387-1236');

    const rep = runCli(['--json', 'report', scan, '-o', join(dir, 'r.html')]);
    expect(JSON.parse(rep.stdout)).toMatchObject({
      command: 'report',
      exitCode: 0,
      format: 'html',
      reported: 1,
    });
    // The report on stdout: the summary goes to stderr, the stream stays the report's.
    const piped = runCli(['report', scan, '--format', 'json', '-o', '-', '--json']);
    expect(JSON.parse(piped.stdout).schema).toBe('dsr.report/1');
    expect(JSON.parse(piped.stderr.trim().split('\n').pop()!)).toMatchObject({
      command: 'report',
      exitCode: 0,
    });

    const bad = runCli(['report', join(dir, 'missing.json'), '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ command: 'report', exitCode: 2 });
    expect(JSON.parse(bad.stdout).error).toContain('missing.json');
    const none = runCli(['--json']);
    expect(JSON.parse(none.stdout)).toMatchObject({ command: null, exitCode: 2 });
  });

  it('-q/--quiet prints nothing but errors and warnings', () => {
    const scan = join(dir, 'quiet.json');
    const r = runCli(['-q', 'scan', join(dir, 'share'), '--subject', subject, '--out', scan]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    const rep = runCli(['report', scan, '--quiet', '-o', join(dir, 'q.html')]);
    expect(rep.code).toBe(0);
    expect(rep.stdout + rep.stderr).toBe('');
    const bad = runCli(['report', join(dir, 'missing.json'), '-q']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('missing.json');
  });

  it('NO_COLOR turns off colour in what Ink draws', () => {
    // The entry point sets FORCE_COLOR=0 for NO_COLOR before chalk (under Ink) decides its level.
    writeFileSync(
      join(dir, 'level.mjs'),
      `process.argv = [process.argv[0], ${JSON.stringify(CLI)}, '--version'];
await import(${JSON.stringify(CLI)});
const { default: chalk } = await import(${JSON.stringify(join(PROJECT, 'node_modules/chalk/source/index.js'))});
console.log('level ' + chalk.level);`,
    );
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, [join(dir, 'level.mjs')], { encoding: 'utf8', env }).stdout;
    const { NO_COLOR: _, FORCE_COLOR: __, ...base } = process.env;
    expect(run({ ...base, NO_COLOR: '1' })).toContain('level 0');
    expect(run({ ...base, FORCE_COLOR: '1' })).toContain('level 1');
  });
});
