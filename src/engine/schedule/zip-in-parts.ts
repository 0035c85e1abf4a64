import type { ItemInput } from '../../core/types.js';
import { MIN_PART_BYTES, readInParts } from './container-in-parts.js';
import { partSize, type ScanRun } from './run.js';

/**
 * A huge zip: its directory is read here and its members cut into parts (see `planZip`), each sent
 * with what the members before it inflated, nested ones as far as the parts merged so far tell.
 */
export async function readZipInParts(run: ScanRun, input: ItemInput, size: number): Promise<void> {
  const { planZip } = await import('../../extract/archive/zip.js');
  const { limits } = run;
  let nested = 0;
  const sentInflated = new Map<number, number>();
  await readInParts(
    run,
    input,
    size,
    'zip',
    async (send) => {
      const parts = await planZip(input, limits, partSize(run, size, MIN_PART_BYTES));
      if (!parts) return false;
      for (const part of parts) {
        const inflated = part.inflated + nested;
        // The parts merged so far spent the file's budget: the rest is not read (the part that
        // breached it said so on its member).
        if (part.index > 0 && inflated > limits.maxInflatedBytes) break;
        sentInflated.set(part.index, inflated);
        const what = `members ${part.from + 1} to ${part.to} (bytes up to ${part.end})`;
        await send({ task: { zipPart: { ...part, inflated } }, what, end: part.end });
      }
      return true;
    },
    (result, part) => {
      const zipPart = part.task.zipPart!;
      // What its members' own content inflated beyond themselves (archives and attachments in them).
      nested += Math.max(0, (result.inflated ?? 0) - sentInflated.get(zipPart.index)! - zipPart.ownInflated);
    },
  );
}
