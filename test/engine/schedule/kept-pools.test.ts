import { describe, expect, it } from 'vitest';
import { KeptPools, runScan } from '../../../src/engine/scan.js';
import { type PoolStarter, Workers } from '../../../src/engine/schedule/workers.js';
import { SUBJECT, tempTree } from '../../helpers/cli.js';

describe('worker threads kept across scans (an agent’s jobs)', () => {
  it('starts each pool once for many scans and ends it only at closeAll', async () => {
    const started: string[] = [];
    let closed = 0;
    const counting: PoolStarter = (size, which) => {
      started.push(`${which}:${size}`);
      return { run: async () => [], close: async () => void closed++ };
    };
    const kept = new KeptPools(counting);
    for (let scan = 0; scan < 3; scan++) {
      const workers = new Workers(2, true, kept.starter);
      workers.pool();
      workers.extra();
      workers.close();
    }
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['pool:1', 'extra:1']);
    expect(closed).toBe(0);
    await kept.closeAll();
    expect(closed).toBe(2);
  });

  it('scans after scan with the same threads find the same', async () => {
    const dir = tempTree({ 'a.txt': `Kontakt: ${SUBJECT.emails[0]}, CPR ${SUBJECT.cpr[0]}\n` });
    const pools = new KeptPools();
    try {
      const counts: number[] = [];
      for (let scan = 0; scan < 3; scan++) {
        const outcome = await runScan({ roots: [dir], subject: SUBJECT, concurrency: 1, pools });
        counts.push(outcome.writer.findingCount);
        await outcome.writer.discard();
      }
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts).toEqual([counts[0], counts[0], counts[0]]);
    } finally {
      await pools.closeAll();
    }
  });
});
