import type { ItemInput } from '../../core/types.js';
import type { MboxSpan } from '../../extract/mail/mbox.js';
import { MIN_PART_BYTES, readInParts } from './container-in-parts.js';
import { partSize, type ScanRun } from './run.js';

/**
 * A huge mailbox: this thread splits it into messages (see `planMbox`: boundaries, and names from each
 * Message-ID, repeats numbered), and the workers read parts of them as they come.
 */
export async function readMailboxInParts(run: ScanRun, input: ItemInput, size: number): Promise<void> {
  const { planMbox } = await import('../../extract/mail/mbox.js');
  const partBytes = partSize(run, size, MIN_PART_BYTES);
  const ref = { path: input.ref.path, itemPath: [] };
  await readInParts(run, input, size, 'mbox', async (send, report) => {
    let spans: MboxSpan[] = [];
    let bytes = 0;
    let index = 0;
    const flush = async () => {
      const last = spans.at(-1)!;
      const end = last.offset + last.length;
      const what = `${spans.length} messages from byte ${spans[0].offset} to ${end}`;
      await send({ task: { mboxPart: { index: index++, spans } }, what, end });
      spans = [];
      bytes = 0;
    };
    const messages = await planMbox(
      input,
      {
        limits: run.limits,
        signal: run.signal,
        error: (kind, message, at) => report({ ...(at ?? ref), kind, message }),
      },
      async (span) => {
        spans.push(span);
        bytes += span.length;
        if (bytes >= partBytes) await flush();
      },
    );
    if (spans.length) await flush();
    return messages > 0;
  });
}
