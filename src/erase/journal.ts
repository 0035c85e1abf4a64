import { type FileHandle, open, readFile } from 'node:fs/promises';

/**
 * Write-ahead journal of one plan's erasure runs (JSONL beside the plan, fsynced per record): the
 * intent is written before an action touches anything, `prepared` records what the new content will
 * be, the result is written after. A run killed half-way is resumed by running the same plan again:
 * actions with a `done` result count as done, and an action with an intent but no result is finished
 * or recognised as already done from its `prepared` record.
 */
export interface JournalRecord {
  plan: string;
  action: string;
  /** `writeback`: an mbox is being rewritten in place from `temp` (see actions/mbox.ts). */
  phase: 'intent' | 'prepared' | 'writeback' | 'result' | 'audit-head';
  at: string;
  runId: string;
  /** Temp file this action may leave behind if killed (removed on resume). */
  temp?: string;
  /** sha256 and size of the content the target will have after the action. */
  newSha256?: string;
  newSize?: number;
  /** A rewritten Maildir message's new name (see actions/attachment.ts); an IMAP message's new UID. */
  newPath?: string;
  newUid?: number;
  /** writeback: the mbox size being replaced, and the sha256 of its bytes from `newSize` to that size. */
  fileSize?: number;
  tailSha256?: string;
  result?: string;
  reason?: string;
  /** audit-head (action ''): where the audit log ended after this run, an anchor outside the log. */
  auditLog?: string;
  records?: number;
  last?: string;
  keyId?: string;
}

export class Journal {
  private constructor(
    private readonly fh: FileHandle | undefined,
    private readonly records: JournalRecord[],
    private readonly planSha256: string,
    private readonly runId: string,
  ) {}

  /** Reads the journal (records of other plans are ignored); opens it for appending unless `readOnly`. */
  static async open(path: string, planSha256: string, runId: string, readOnly = false): Promise<Journal> {
    const records: JournalRecord[] = [];
    try {
      const text = await readFile(path, 'utf8');
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          const r = JSON.parse(line) as JournalRecord;
          if (r.plan === planSha256) records.push(r);
        } catch {
          // A record cut short by a crash: the write-ahead order makes it safe to ignore.
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const fh = readOnly ? undefined : await open(path, 'a', 0o600);
    return new Journal(fh, records, planSha256, runId);
  }

  /** The last result recorded for an action in any run. */
  lastResult(actionId: string): JournalRecord | undefined {
    return this.records.filter((r) => r.action === actionId && r.phase === 'result').pop();
  }

  /** Intent/prepared records of an action after its last result: an unfinished attempt. */
  unfinished(actionId: string): JournalRecord[] {
    const mine = this.records.filter((r) => r.action === actionId);
    const lastResult = mine.map((r) => r.phase).lastIndexOf('result');
    return mine.slice(lastResult + 1);
  }

  /** Every audit head recorded in a journal file (any plan), for `dsr audit verify`. */
  static async auditHeads(path: string): Promise<JournalRecord[]> {
    const text = await readFile(path, 'utf8');
    const heads: JournalRecord[] = [];
    for (const line of text.split('\n')) {
      try {
        const r = JSON.parse(line) as JournalRecord;
        if (r.phase === 'audit-head' && typeof r.records === 'number' && typeof r.last === 'string')
          heads.push(r);
      } catch {
        // A record cut short by a crash.
      }
    }
    return heads;
  }

  async write(
    actionId: string,
    phase: JournalRecord['phase'],
    extra: Partial<Omit<JournalRecord, 'plan' | 'action' | 'phase'>> = {},
  ): Promise<void> {
    const rec: JournalRecord = {
      plan: this.planSha256,
      action: actionId,
      phase,
      at: new Date().toISOString(),
      runId: this.runId,
      ...extra,
    };
    this.records.push(rec);
    if (!this.fh) return;
    await this.fh.write(`${JSON.stringify(rec)}\n`);
    await this.fh.sync();
  }

  async close(): Promise<void> {
    await this.fh?.close();
  }
}
