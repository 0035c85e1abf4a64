import { Box, Text } from 'ink';
import { type DetailDoc, type Line, visibleLines } from './detail-doc.js';
import { labels } from './labels.js';
import { padCut } from './text-fit.js';

export interface DetailPaneProps {
  /** The selected item's document (see `buildDetailDoc`); undefined when nothing is selected. */
  doc: DetailDoc | undefined;
  /** First document line shown. */
  top: number;
  /** Rows including the title rule. */
  height: number;
  width: number;
  focused: boolean;
}

/** Every finding of the selected item with its context, other people's identifiers and the fingerprint. */
export function DetailPane({ doc, top: wanted, height, width, focused }: DetailPaneProps) {
  const bodyHeight = Math.max(0, height - 1);
  const top = Math.max(0, Math.min(wanted, maxDetailTop(doc, height)));
  const lines: Line[] = doc ? visibleLines(doc, top, bodyHeight) : [];
  const more =
    doc && doc.total > bodyHeight ? ` ${top + 1}-${Math.min(doc.total, top + bodyHeight)}/${doc.total}` : '';
  const L = labels();
  const title = `── ${L.detail} (${focused ? L.detailBack : L.detailFocus})${more} `;
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Text color={focused ? 'cyan' : undefined} dimColor={!focused} wrap="truncate">
        {title}
        {'─'.repeat(Math.max(0, width - [...title].length))}
      </Text>
      {lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity beyond their position
        <Text key={i} wrap="truncate">
          {line.map((s, j) => (
            <Text
              // biome-ignore lint/suspicious/noArrayIndexKey: segments have no identity beyond their position
              key={j}
              color={s.color}
              bold={s.bold}
              dimColor={s.dim}
              inverse={s.inverse}
            >
              {s.text}
            </Text>
          ))}
        </Text>
      ))}
      {doc ? null : <Text dimColor>{padCut('  nothing selected', width)}</Text>}
    </Box>
  );
}

/** The last useful scroll position of the pane. */
export function maxDetailTop(doc: DetailDoc | undefined, height: number): number {
  return doc ? Math.max(0, doc.total - Math.max(0, height - 1)) : 0;
}
