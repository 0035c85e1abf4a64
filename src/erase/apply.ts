import { randomUUID } from 'node:crypto';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { readFile, rm, unlink } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { sha256Hex } from '../core/ids.js';
import { fsPath } from '../core/raw-path.js';
import { trackTemp } from '../core/run-temp.js';
import type { Fingerprint } from '../core/types.js';
import type { ImapPasswordSource } from '../crawl/imap/password.js';
import { parseMessageUrl, serverUrl } from '../crawl/imap/url.js';
import { compileSubject } from '../match/subject.js';
import { type AttachmentAction, editMessageFile, isAttachmentAction } from './actions/attachment.js';
import { deleteFile } from './actions/delete-file.js';
import { editArchive } from './actions/edit-archive.js';
import { closeFaceTagTool, removeFaceTags } from './actions/face-tags.js';
import { expungeImapMessages } from './actions/imap.js';
import { editImapAttachments } from './actions/imap-attachment.js';
import { type MboxAction, removeMboxMessages } from './actions/mbox.js';
import { redactOffice } from './actions/redact-office.js';
import { redactText } from './actions/redact-text.js';
import type { ActionContext, Outcome } from './actions/types.js';
import { type AuditHead, AuditLog } from './audit.js';
import { defaultAuditKeyPath, loadOrCreateSigner } from './audit-key.js';
import { maskIdentifiers, maskPath } from './identifiers.js';
import { Journal } from './journal.js';
import type { Action, ExpungeImapMessageAction, Plan } from './plan.js';
import { ActionSkipped } from './safety.js';
import { noStepHook, type StepHook } from './test-hooks.js';

export interface ApplyOptions {
  /** False: a dry run that checks every action and changes nothing. */
  execute: boolean;
  /** Write-ahead journal (JSONL) of this plan's runs. */
  journalPath: string;
  /** Audit log to append to (required with execute). */
  auditLogPath?: string;
  /** Key that signs the audit records (default: defaultAuditKeyPath(); created if missing). */
  auditKeyPath?: string;
  /** Act on at most this many actions; the rest are skipped and left for a later run. */
  maxActions?: number;
  /** Lock file that keeps two runs of the same plan apart. */
  lockPath?: string;
  /** How long to wait for each mbox lock (dotlock, then fcntl); default 30 s. */
  lockTimeoutMs?: number;
  onOutcome?: (report: ActionReport) => void;
  /** Stops between actions: the one under way is finished (and journalled), the rest are left. */
  signal?: AbortSignal;
  /** Called at each named step of the erasure: the test suite's crash and pause points. @default none */
  hook?: StepHook;
  /** Where the password for an IMAP server comes from (see password.ts). @default none: IMAP actions are refused */
  imapPassword?: ImapPasswordSource;
}

export interface ActionReport {
  action: Action;
  outcome: Outcome;
}

export interface ApplyResult {
  runId: string;
  reports: ActionReport[];
  /** With execute: where the audit log ended (also in the journal), and the key that signed it. */
  audit?: { head: AuditHead; keyPath: string; keyCreated: boolean };
}

/** A group of actions done together: one mbox file, one IMAP mailbox, or a single action. */
interface Unit {
  actions: Action[];
  run(actions: Action[], ctx: ActionContext): Promise<Map<string, Outcome>>;
}

/**
 * Applies an approved plan (or dry-runs any plan): per action lock, re-check the fingerprint through
 * the open file, act, verify; everything journalled before and after, every outcome audited.
 */
export async function applyPlan(plan: Plan, opts: ApplyOptions): Promise<ApplyResult> {
  if (opts.execute && !plan.approval)
    throw new UsageError(
      'the plan is not approved; refusing to --execute',
      'review it, then: dsr plan PLAN --approve --approved-by NAME',
    );
  const runId = randomUUID();
  const releaseLock = opts.execute && opts.lockPath ? await takeRunLock(opts.lockPath) : undefined;
  try {
    const journal = await Journal.open(opts.journalPath, plan.sha256, runId, !opts.execute);
    const auditLogPath = resolve(opts.auditLogPath ?? `${opts.journalPath}.audit.jsonl`);
    const keyPath = opts.auditKeyPath ?? defaultAuditKeyPath();
    const signer = opts.execute ? await loadOrCreateSigner(keyPath) : undefined;
    const audit = signer ? await AuditLog.open(auditLogPath, signer) : undefined;
    const ctx: ActionContext = {
      plan,
      subject: compileSubject(plan.subject),
      journal,
      runId,
      execute: opts.execute,
      lockTimeoutMs: opts.lockTimeoutMs,
      hook: opts.hook ?? noStepHook,
      imapPassword: opts.imapPassword ?? (async () => undefined),
    };
    const reports: ActionReport[] = [];
    try {
      if (opts.execute) await removeLeftoverTemps(plan, journal);
      let budget = opts.maxActions ?? Number.POSITIVE_INFINITY;
      for (const unit of unitsOf(plan)) {
        const pending: Action[] = [];
        const decided = new Map<string, Outcome>();
        for (const a of unit.actions) {
          const earlier = journal.lastResult(a.id);
          if (earlier?.result === 'done')
            decided.set(a.id, { result: 'done', reason: `done in an earlier run (${earlier.runId})` });
          else if (a.kind === 'manual') decided.set(a.id, { result: 'manual', reason: a.reason });
          else pending.push(a);
        }
        const stopped = opts.signal?.aborted ?? false;
        const now = stopped ? [] : pending.slice(0, Math.max(0, Math.min(pending.length, budget)));
        for (const a of pending.slice(now.length))
          decided.set(a.id, {
            result: 'skipped',
            reason: stopped
              ? 'the run was interrupted; left for a later run'
              : 'over --max-actions; left for a later run',
          });
        budget -= now.length;
        if (now.length) {
          let outcomes: Map<string, Outcome>;
          try {
            outcomes = await unit.run(now, ctx);
          } catch (err) {
            const o: Outcome =
              err instanceof ActionSkipped
                ? { result: err.result, reason: err.message }
                : { result: 'failed', reason: `internal error: ${(err as Error)?.message ?? err}` };
            outcomes = new Map(now.map((a) => [a.id, o]));
          }
          for (const [id, o] of outcomes) decided.set(id, o);
        }
        for (const action of unit.actions) {
          const outcome = decided.get(action.id) ?? {
            result: 'failed',
            reason: 'no outcome (internal error)',
          };
          if (opts.execute) {
            await journal.write(action.id, 'result', { result: outcome.result, reason: outcome.reason });
            await ctx.hook('action:result-written');
            await audit?.append(auditRecord(plan, runId, action, outcome, ctx));
          }
          const report = { action, outcome };
          reports.push(report);
          opts.onOutcome?.(report);
        }
      }
      if (audit) {
        const head = audit.head();
        await journal.write('', 'audit-head', {
          auditLog: auditLogPath,
          records: head.records,
          last: head.last,
          keyId: head.keyId,
        });
      }
    } finally {
      await closeFaceTagTool();
      await journal.close();
      await audit?.close();
    }
    return {
      runId,
      reports,
      audit: audit && signer ? { head: audit.head(), keyPath, keyCreated: signer.created } : undefined,
    };
  } finally {
    await releaseLock?.();
  }
}

function unitsOf(plan: Plan): Unit[] {
  const units: Unit[] = [];
  const mbox = new Map<string, Unit>();
  const imap = new Map<string, Unit>();
  // Attachments of one message file, or of one IMAP mailbox: one rewrite each.
  const messages = new Map<string, Unit>();
  for (const a of plan.actions) {
    if (isAttachmentAction(a) && a.container !== 'mbox') {
      const ref = a.container === 'imap' ? parseMessageUrl(a.path) : undefined;
      const key = ref ? `${serverUrl(ref)}\u0000${a.mailbox}\u0000${a.uidValidity}` : a.path;
      let u = messages.get(key);
      if (!u) {
        const run = a.container === 'imap' ? editImapAttachments : editMessageFile;
        u = { actions: [], run: (acts, ctx) => run(acts as AttachmentAction[], ctx) };
        messages.set(key, u);
        units.push(u);
      }
      u.actions.push(a);
    } else if (a.kind === 'remove-mbox-message' || isAttachmentAction(a)) {
      let u = mbox.get(a.path);
      if (!u) {
        const path = a.path;
        u = {
          actions: [],
          run: (acts, ctx) => removeMboxMessages(path, acts as MboxAction[], ctx),
        };
        mbox.set(a.path, u);
        units.push(u);
      }
      u.actions.push(a);
    } else if (a.kind === 'expunge-imap-message') {
      const ref = parseMessageUrl(a.path);
      const key = `${ref ? serverUrl(ref) : a.path}\u0000${a.mailbox}\u0000${a.uidValidity}`;
      let u = imap.get(key);
      if (!u) {
        u = { actions: [], run: (acts, ctx) => expungeImapMessages(acts as ExpungeImapMessageAction[], ctx) };
        imap.set(key, u);
        units.push(u);
      }
      u.actions.push(a);
    } else {
      units.push({ actions: [a], run: async (acts, ctx) => new Map([[a.id, await single(acts[0], ctx)]]) });
    }
  }
  return units;
}

async function single(action: Action, ctx: ActionContext): Promise<Outcome> {
  try {
    switch (action.kind) {
      case 'delete-file':
      case 'delete-maildir-message':
        return await deleteFile(action, ctx);
      case 'redact-text':
        return await redactText(action, ctx);
      case 'remove-face-tags':
        return await removeFaceTags(action, ctx);
      case 'redact-office':
        return await redactOffice(action, ctx);
      case 'edit-archive':
        return await editArchive(action, ctx);
      default:
        return { result: 'manual', reason: 'not an automatic action' };
    }
  } catch (err) {
    if (err instanceof ActionSkipped) return { result: err.result, reason: err.message };
    throw err;
  }
}

/** Temp files of attempts that were killed before they finished (named in the journal's intent records). */
async function removeLeftoverTemps(plan: Plan, journal: Journal): Promise<void> {
  for (const a of plan.actions) {
    const unfinished = journal.unfinished(a.id);
    // An mbox write-back that was cut short is finished from its temp file by the action itself.
    if (unfinished.some((r) => r.phase === 'writeback')) continue;
    for (const r of unfinished) {
      if (!r.temp || dirname(r.temp) !== dirname(a.path)) continue;
      if (!basename(r.temp).startsWith(`.${basename(a.path)}.dsr-`)) continue;
      await rm(fsPath(r.temp), { force: true });
      await rm(fsPath(`${r.temp}_exiftool_tmp`), { force: true });
    }
  }
}

/** One run of a plan at a time; a lock left by a killed run (its process is gone) is taken over. */
async function takeRunLock(lockPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // Created synchronously and tracked in the same step, so that a signal ending the run removes
      // it: a creation still under way in libuv's thread pool could finish after the exit handler ran.
      const fd = openSync(fsPath(lockPath), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      const untrack = trackTemp(lockPath);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return async () => {
        untrack();
        await unlink(lockPath).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (pid && pidAlive(pid))
        throw new UsageError(
          `another dsr erase (pid ${pid}) is running this plan`,
          `wait for it, or remove ${lockPath}`,
        );
      await unlink(lockPath).catch(() => {});
    }
  }
  throw new UsageError(`cannot take the run lock ${lockPath}`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function auditRecord(plan: Plan, runId: string, action: Action, outcome: Outcome, ctx: ActionContext) {
  return {
    time: new Date().toISOString(),
    runId,
    plan: plan.sha256,
    approver: plan.approval?.by ?? null,
    action: action.id,
    kind: action.kind,
    target: {
      path: maskPath(action.path, ctx.subject),
      pathSha256: sha256Hex(action.path),
      itemPath: action.itemPath.map((p) =>
        p.startsWith('message ') ? `message ${sha256Hex(p).slice(0, 16)}` : maskPath(p, ctx.subject),
      ),
    },
    before: hashesOnly(outcome.before ?? action.fingerprint),
    // Only a done action changed its target; any other outcome left it as it was.
    after:
      outcome.result === 'done' || outcome.after !== undefined
        ? hashesOnly(outcome.after ?? null)
        : { unchanged: true },
    result: outcome.result,
    reason: outcome.reason ? maskIdentifiers(outcome.reason, ctx.subject) : null,
  };
}

function hashesOnly(fp: Fingerprint | null): Record<string, unknown> | null {
  if (!fp) return null;
  return { ...fp };
}
