import { Text } from 'ink';
import { labels } from './labels.js';
import { padCut } from './text-fit.js';

export interface StatusLineProps {
  /** The last action, or what to do now. */
  status: string;
  /** `/` filter being typed, shown instead of the status, with the items it matches. */
  filterDraft?: string;
  matches?: number;
  /** The reason for keeping the current item, being typed. */
  reasonDraft?: string;
  /** Asking whether to save before quitting. */
  askQuit?: { unsaved: number };
  /** Position and filter, shown on the right. */
  where: string;
  width: number;
}

export function StatusLine({
  status,
  filterDraft,
  matches,
  reasonDraft,
  askQuit,
  where,
  width,
}: StatusLineProps) {
  if (reasonDraft !== undefined) {
    const label = labels().keepBecause;
    return (
      <Text wrap="truncate">
        <Text color="blue" bold>
          {label}
        </Text>
        {reasonDraft}
        <Text inverse> </Text>
        <Text dimColor>
          {padCut(labels().msg.keepHint, Math.max(0, width - label.length - [...reasonDraft].length - 1))}
        </Text>
      </Text>
    );
  }
  if (filterDraft !== undefined) {
    return (
      <Text wrap="truncate">
        <Text color="cyan">/</Text>
        {filterDraft}
        <Text inverse> </Text>
        <Text dimColor>
          {padCut(labels().filterMatches(matches ?? 0), Math.max(0, width - [...filterDraft].length - 2))}
        </Text>
      </Text>
    );
  }
  if (askQuit) {
    return (
      <Text wrap="truncate" color="yellow" bold>
        {padCut(labels().quitAsk(askQuit.unsaved), width)}
      </Text>
    );
  }
  const right = ` ${where} · ${labels().help}`;
  return (
    <Text wrap="truncate">
      <Text>{padCut(status, Math.max(0, width - [...right].length))}</Text>
      <Text dimColor>{right}</Text>
    </Text>
  );
}
