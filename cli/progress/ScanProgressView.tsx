import { Text } from 'ink';
import type { ScanProgress } from '../../src/engine/scan.js';
import { progressParts, progressText } from './line.js';

export { formatElapsed } from './line.js';

export interface ScanProgressViewProps {
  progress: ScanProgress;
  width: number;
}

/**
 * `dsr scan`'s live progress on a terminal: one line (progressText), findings and errors in colour.
 * Shows counts and the current folder, never a value.
 */
export function ScanProgressView({ progress, width }: ScanProgressViewProps) {
  const text = progressText(progress, width);
  const x = progressParts(progress);
  const at = text.indexOf(`${x.findings} · ${x.errors}`);
  if (at < 0) return <Text wrap="truncate">{text}</Text>;
  const rest = text.slice(at + x.findings.length + 3 + x.errors.length);
  return (
    <Text wrap="truncate">
      {text.slice(0, at)}
      <Text color={progress.findings ? 'yellow' : undefined}>{x.findings}</Text>
      {' · '}
      <Text color={progress.errors ? 'red' : undefined}>{x.errors}</Text>
      {rest}
    </Text>
  );
}
