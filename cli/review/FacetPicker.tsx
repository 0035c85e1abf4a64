import { Box, Text } from 'ink';
import type { Facet } from './state.js';

export interface FacetPickerProps {
  facets: readonly Facet[];
  cursor: number;
  current: Facet;
  counts: Partial<Record<Facet, number>>;
  width: number;
  height: number;
}

const LABEL: Partial<Record<Facet, string>> = {
  all: 'all items',
  undecided: 'undecided items',
  possible: 'evidence: possible',
  namesake: 'evidence: namesake',
  confirmed: 'evidence: confirmed',
  cpr: 'detector: cpr',
  email: 'detector: email',
  phone: 'detector: phone',
  name: 'detector: name',
  face: 'detector: face',
};

/** The `f` menu: filter by evidence level, detector or undecided. */
export function FacetPicker({ facets, cursor, current, counts, width, height }: FacetPickerProps) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">
        ── filter (j/k or 0-9, Enter to apply, Esc to cancel)
      </Text>
      {facets.map((f, i) => (
        <Text key={f} wrap="truncate" inverse={i === cursor}>
          {i === cursor ? '▸ ' : '  '}
          {i} {(LABEL[f] ?? f).padEnd(22)}
          <Text dimColor>{counts[f] ?? 0}</Text>
          {f === current ? <Text color="green"> (current)</Text> : null}
        </Text>
      ))}
    </Box>
  );
}
