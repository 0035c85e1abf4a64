import { Box, Text } from 'ink';
import { registry } from '../../detectors/index.js';
import { labels } from './labels.js';
import type { Facet } from './state.js';

export interface FacetPickerProps {
  facets: readonly Facet[];
  cursor: number;
  current: Facet;
  counts: Partial<Record<Facet, number>>;
  width: number;
  height: number;
}

/** A facet as the menu names it: a detector by its category (`CPR number`, `Photos and video`). */
const labelOf = (f: Facet) => {
  const L = labels();
  if (f in L.facets) return L.facets[f as keyof typeof L.facets];
  return registry.has(f) ? registry.label(f, L.lang).category : f;
};

/** The `f` menu: filter by evidence level, detector or undecided. */
export function FacetPicker({ facets, cursor, current, counts, width, height }: FacetPickerProps) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">
        {labels().facetTitle}
      </Text>
      {facets.map((f, i) => (
        <Text key={f} wrap="truncate" inverse={i === cursor}>
          {i === cursor ? '▸ ' : '  '}
          {i} {labelOf(f).padEnd(22)}
          <Text dimColor>{counts[f] ?? 0}</Text>
          {f === current ? <Text color="green">{labels().current}</Text> : null}
        </Text>
      ))}
    </Box>
  );
}
