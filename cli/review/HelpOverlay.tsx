import { Box, Text } from 'ink';

export const KEYS: readonly [string, string][] = [
  ['↑/↓ j/k', 'move'],
  ['PgUp/PgDn g/G', 'page up/down, first/last item'],
  ['Enter/Tab', 'focus the detail pane (j/k scroll it) and back'],
  ['i', "include: the subject's, to report and erase"],
  ['r', "keep: the subject's, kept for a reason (reported, not erased)"],
  ['e', "exclude: not the subject's data (not reported, not erased)"],
  ['n', 'namesake: someone else with the same name'],
  ['space', 'toggle include/keep'],
  ['x', 'nothing (it meant keep before): use r or e'],
  ['u', 'undo the last decision'],
  ['o', 'open the item in $PAGER (the file at the line, or the message)'],
  ['v', 'open the item in $EDITOR, read-only where it can be'],
  ['a', 'include every confirmed item in view'],
  ['/', 'filter by text (Enter keeps it, Esc restores)'],
  ['f', 'filter by evidence level, detector or undecided'],
  ['s', 'save decisions beside the scan (.review.json)'],
  ['p', 'build the erasure plan, approve it with the initials'],
  ['?', 'this help (Esc or ? closes it)'],
  ['q', 'quit (asks to save unsaved decisions)'],
];

/** Every key, in the body of the screen. */
export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const keyWidth = Math.max(...KEYS.map(([k]) => k.length)) + 2;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">
        {`── keys ${'─'.repeat(Math.max(0, width - 8))}`}
      </Text>
      {KEYS.slice(0, Math.max(0, height - 1)).map(([k, what]) => (
        <Text key={k} wrap="truncate">
          <Text color="cyan">{`  ${k}`.padEnd(keyWidth + 2)}</Text>
          {what}
        </Text>
      ))}
    </Box>
  );
}
