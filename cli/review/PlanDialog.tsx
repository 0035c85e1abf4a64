import { Box, Text } from 'ink';
import { labels } from './labels.js';
import type { PlanDraft } from './state.js';

export interface PlanDialogProps {
  draft: PlanDraft;
  typed: string;
  error?: string;
  width: number;
  height: number;
}

/** What the erasure plan will contain, and the initials prompt that approves and seals it. */
export function PlanDialog({ draft, typed, error, width, height }: PlanDialogProps) {
  const room = Math.max(0, height - 4);
  const shown = draft.summary.slice(0, room);
  const hidden = draft.summary.length - shown.length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">
        ── {labels().planTitle(draft.actionCount)}
      </Text>
      {shown.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: summary lines are positional
        <Text key={i} wrap="truncate">
          {line}
        </Text>
      ))}
      {hidden > 0 ? <Text dimColor>{labels().msg.moreLines(hidden)}</Text> : null}
      {error ? (
        <Text color="red" wrap="truncate">
          {error}
        </Text>
      ) : null}
      <Text wrap="truncate">
        <Text color="yellow" bold>
          {labels().initials}
        </Text>
        <Text inverse>{typed || ' '}</Text>
      </Text>
    </Box>
  );
}
