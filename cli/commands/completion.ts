import { type Command, InvalidArgumentError } from 'commander';
import { addSummary, stdoutTaken } from '../output-mode.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

interface Spec {
  name: string;
  description: string;
  options: { flags: string[]; description: string }[];
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script: eval "$(dsr completion bash)" (or zsh, fish)')
    .argument('<shell>', 'bash, zsh or fish', (v: string) => {
      if (!SHELLS.includes(v as Shell)) throw new InvalidArgumentError('the shell must be bash, zsh or fish');
      return v as Shell;
    })
    .action((shell: Shell) => {
      // The script is the command's output: a --json summary goes to stderr.
      stdoutTaken();
      addSummary({ shell });
      process.stdout.write(completionScript(shell, specsOf(program)));
    });
}

/** Commands and their flags, read from the program itself, so that completion never falls behind. */
export function specsOf(program: Command): Spec[] {
  const global = program.options.map((o) => ({
    flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
    description: o.description,
  }));
  return program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    options: [
      ...c.options.map((o) => ({
        flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
        description: o.description,
      })),
      ...global,
      { flags: ['-h', '--help'], description: 'show help' },
    ],
  }));
}

export function completionScript(shell: Shell, specs: Spec[]): string {
  if (shell === 'bash') return bash(specs);
  if (shell === 'zsh') return zsh(specs);
  return fish(specs);
}

function bash(specs: Spec[]): string {
  const cases = specs
    .map((s) => `    ${s.name}) opts="${s.options.flatMap((o) => o.flags).join(' ')}" ;;`)
    .join('\n');
  return `# dsr completion for bash: eval "$(dsr completion bash)" in ~/.bashrc
_dsr() {
  local cur cmd opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${specs.map((s) => s.name).join(' ')} --help --version --quiet --json" -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
    *) opts="" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _dsr dsr
`;
}

const quoteZsh = (s: string) => s.replace(/[[\]:'\\]/g, (c) => (c === "'" ? "'\\''" : `\\${c}`));

function zsh(specs: Spec[]): string {
  const cmds = specs.map((s) => `    '${s.name}:${quoteZsh(s.description)}'`).join('\n');
  const cases = specs
    .map(
      (s) =>
        `    ${s.name})\n      _arguments \\\n${s.options
          .flatMap((o) => o.flags.map((f) => `        '${f}[${quoteZsh(o.description)}]'`))
          .join(' \\\n')} \\\n        '*:file:_files' ;;`,
    )
    .join('\n');
  return `#compdef dsr
# dsr completion for zsh: eval "$(dsr completion zsh)" in ~/.zshrc (after compinit)
_dsr() {
  local -a commands
  commands=(
${cmds}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "$words[2]" in
${cases}
  esac
}
compdef _dsr dsr
`;
}

function fish(specs: Spec[]): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = [
    '# dsr completion for fish: dsr completion fish > ~/.config/fish/completions/dsr.fish',
    'complete -c dsr -f',
    ...specs.map((s) => `complete -c dsr -n '__fish_use_subcommand' -a ${s.name} -d ${q(s.description)}`),
  ];
  for (const s of specs)
    for (const o of s.options) {
      const long = o.flags.find((f) => f.startsWith('--'))?.slice(2);
      const short = o.flags.find((f) => /^-[^-]$/.test(f))?.slice(1);
      lines.push(
        `complete -c dsr -n '__fish_seen_subcommand_from ${s.name}'${short ? ` -s ${short}` : ''}${long ? ` -l ${long}` : ''} -d ${q(o.description)}`,
      );
    }
  lines.push("complete -c dsr -n 'not __fish_use_subcommand' -F");
  return `${lines.join('\n')}\n`;
}
