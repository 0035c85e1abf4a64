import { Box, Text } from 'ink';
import type { Evidence } from '../../src/core/types.js';
import { EVIDENCE_COLOR } from './detail-doc.js';
import { labels } from './labels.js';
import { padCut } from './text-fit.js';

export interface HeaderProps {
  /** The subject, already masked. */
  subject: string;
  roots: string[];
  counts: Record<Evidence, number>;
  total: number;
  decided: number;
  errors: number;
  orphans: number;
  dirty: boolean;
  width: number;
}

/** Who the scan is about, where it looked, and how far the review has come. */
export function Header(props: HeaderProps) {
  const { width } = props;
  const title = `dsr review · ${props.subject}`;
  const L = labels();
  const unsaved = props.dirty ? ` ${L.unsaved}` : '';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold>{padCut(title, Math.max(0, width - unsaved.length))}</Text>
        <Text color="yellow">{unsaved}</Text>
      </Text>
      <Text wrap="truncate" dimColor>
        {padCut(`${L.roots}: ${props.roots.join(', ')}`, width)}
      </Text>
      <Text wrap="truncate">
        {(['confirmed', 'possible', 'namesake'] as const).map((e) => (
          <Text key={e}>
            <Text color={EVIDENCE_COLOR[e]}>{L.evidence[e]}</Text> {props.counts[e]}
            {'  '}
          </Text>
        ))}
        <Text>
          │ {L.decided} {props.decided}/{props.total} · {L.undecided}{' '}
          <Text bold={props.total - props.decided > 0}>{props.total - props.decided}</Text> │ {L.errors}{' '}
        </Text>
        <Text color={props.errors ? 'red' : undefined}>{props.errors}</Text>
        {props.orphans ? <Text color="magenta"> │ {props.orphans} decision(s) not in scan</Text> : null}
      </Text>
    </Box>
  );
}
