import { Box, Text } from 'ink';
import type { DecisionEntry } from '../../src/review/decisions.js';
import { DECISION_COLOR, detectorLabel, EVIDENCE_COLOR } from './detail-doc.js';
import { labels } from './labels.js';
import type { ReviewIndex } from './scan-index.js';
import { scrollTop, type View } from './state.js';
import { fitMiddle, padCut } from './text-fit.js';

export interface ItemListProps {
  index: ReviewIndex;
  view: View;
  decisions: ReadonlyMap<string, DecisionEntry>;
  /** Index into `view.positions`. */
  cursor: number;
  top: number;
  height: number;
  width: number;
  focused: boolean;
}

const DECISION_WIDTH = 9;

/** The item list, virtualised: only the rows on screen are rendered, whatever the scan's size. */
export function ItemList(props: ItemListProps) {
  const { index, view, cursor, height, width, decisions } = props;
  if (!view.positions.length) {
    return (
      <Box flexDirection="column" height={height} width={width}>
        <Text dimColor>{padCut(`  ${labels().noItems}`, width)}</Text>
      </Box>
    );
  }
  const top = scrollTop(view, cursor, props.top, height);
  const cursorRow = view.rowOf[cursor];
  const rows = view.rows.slice(top, top + height);
  return (
    <Box flexDirection="column" height={height} width={width}>
      {rows.map((row, i) => {
        const rowIndex = top + i;
        if (row.kind === 'group') {
          const g = index.groups[row.group];
          // Under a filter the count is of what is listed: "3 of 40".
          const count = row.shown === g.size ? `${g.size}` : `${row.shown} of ${g.size}`;
          return (
            <Text key={`g${row.group}`} wrap="truncate">
              <Text color={EVIDENCE_COLOR[g.evidence]} bold>
                {labels().evidence[g.evidence]}
              </Text>
              <Text dimColor>
                {padCut(
                  ` · ${labels().source[g.sourceKind]} ${g.sourceLabel} (${count})`,
                  width - labels().evidence[g.evidence].length,
                )}
              </Text>
            </Text>
          );
        }
        const item = index.items[row.pos];
        const decision = decisions.get(item.record.id);
        const selected = rowIndex === cursorRow;
        const detectors = item.record.detectors.map(detectorLabel).join(',');
        const locWidth = Math.max(4, width - 2 - DECISION_WIDTH - 1 - detectors.length);
        return (
          <Text key={item.record.id} wrap="truncate" inverse={selected && props.focused}>
            <Text bold={selected}>{selected ? '▸ ' : '  '}</Text>
            <Text color={decision ? DECISION_COLOR[decision.decision] : 'yellow'}>
              {padCut(decision ? decision.decision : '·', DECISION_WIDTH)}
            </Text>
            <Text bold={selected}>{fitMiddle(item.location, locWidth)}</Text>
            <Text dimColor> {detectors}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
