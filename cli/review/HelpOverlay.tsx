import { Box, Text } from 'ink';
import { labels } from './labels.js';

/** Every key and what it does, in the screen's language. */
export const KEYS = (): readonly [string, string][] => labels().keys;

/** Every key, in the body of the screen. */
export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const keys = KEYS();
  const keyWidth = Math.max(...keys.map(([k]) => k.length)) + 2;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">
        {`── ${labels().keysTitle} ${'─'.repeat(Math.max(0, width - 8))}`}
      </Text>
      {keys.slice(0, Math.max(0, height - 1)).map(([k, what]) => (
        <Text key={k} wrap="truncate">
          <Text color="cyan">{`  ${k}`.padEnd(keyWidth + 2)}</Text>
          {what}
        </Text>
      ))}
    </Box>
  );
}
