import { Box, Text } from 'ink';
import type { ScanProgress } from '../../src/engine/scan.js';
import { formatBytes } from '../summary.js';

export interface ScanProgressViewProps {
  progress: ScanProgress;
  /** Files in the whole scan, once the walk knows it: then a bar shows how far the scan is. */
  total?: number;
  width: number;
}

const BAR = 30;

/** `dsr scan`'s live progress on a terminal. Shows counts and the current folder, never a value. */
export function ScanProgressView({ progress: p, total, width }: ScanProgressViewProps) {
  const secs = Math.max(0.001, p.elapsedMs / 1000);
  const folder = p.current ? folderOf(p.current) : '';
  const done = total ? Math.min(1, p.files / total) : undefined;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold>scanning</Text> {p.files} files · {formatBytes(p.bytes)} · {formatBytes(p.bytes / secs)}/s
        · <Text color={p.findings ? 'yellow' : undefined}>{p.findings} findings</Text> ·{' '}
        <Text color={p.errors ? 'red' : undefined}>{p.errors} errors</Text> · {formatElapsed(p.elapsedMs)}
      </Text>
      {done !== undefined ? (
        <Text wrap="truncate">
          <Text color="green">{'█'.repeat(Math.round(done * BAR))}</Text>
          <Text dimColor>{'░'.repeat(BAR - Math.round(done * BAR))}</Text> {Math.floor(done * 100)}% of{' '}
          {total} files
        </Text>
      ) : null}
      <Text wrap="truncate-middle" dimColor>
        {folder ? `in ${folder}` : ' '}
      </Text>
    </Box>
  );
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash > 0 ? path.slice(0, slash) : path;
}

/** `75 s` -> `1:15` */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
