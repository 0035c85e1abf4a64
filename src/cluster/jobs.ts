import { createHash } from 'node:crypto';
import type { Limits } from '../core/limits.js';
import type { AuditRecord } from '../core/schemas/audit.js';
import type { ExportedItem, NotExportedItem } from '../core/schemas/export.js';
import type { Fingerprint } from '../core/types.js';

/**
 * What travels in a pg-boss job's data. Everything that could name a person (the subject, a path
 * below a root) is sealed: `subject` for the agent's key, `part` for the agent itself.
 */
export interface ScanJob {
  kind: 'scan';
  request: string;
  /** The coordinator's public key for this request: results are sealed for it. */
  reply: string;
  /** Which of the agent's roots (their order on its command line). */
  root: number;
  /** The subject, sealed for the agent under the request id. */
  subject: string;
  /** A folder below the root (see WalkPart), sealed for the agent under this job's id; none: the root. */
  part?: string;
  /** How many folders down this job is; a folder above the split depth is walked one level only. */
  depth: number;
  options: ScanJobOptions;
  /** A scan answered from the shared index (`scan --db --index`): see IndexedScan. */
  index?: IndexedScan;
}

/**
 * What an agent needs to answer a scan from the shared index: the index key and the files of its host
 * that may hold the subject (path MACs, hex), both sealed for the agent under the request id. Every
 * other file is read only when it changed or was added since indexing.
 */
export interface IndexedScan {
  key: string;
  candidates: string;
}

/** Builds or refreshes a root's part of the shared index; the index key sealed for the agent under the job's id. */
export interface IndexJob {
  kind: 'index';
  request: string;
  reply: string;
  root: number;
  key: string;
  options: { excludes: string[] };
}

/** What an index job returns, sealed: the run's counts (no path), or why it failed. */
export interface IndexJobResult {
  root?: string;
  stats?: { files: number; read: number; unchanged: number; removed: number; errors: number };
  error?: string;
}

export interface ScanJobOptions {
  all: boolean;
  excludes: string[];
  fileList: boolean;
  limits: Partial<Limits>;
  /** Folders this many levels below a root and deeper are one job each with all below them. */
  splitDepth: number;
}

/** What a scan job returns, sealed for the coordinator: the part's own scan file. */
export interface ScanJobResult {
  root: string;
  scanFile?: string;
  /** Why the job could not be done (the agent lacks the root, the engine failed). */
  error?: string;
}

/** A host's share of an erasure: the whole plan, sealed for the agent under this job's id. */
export interface EraseJob {
  kind: 'erase';
  request: string;
  reply: string;
  execute: boolean;
  plan: string;
}

export interface ErasedAction {
  id: string;
  result: string;
  reason?: string;
}

/** What an erase job returns, sealed: each action's outcome and the audit records of the run. */
export interface EraseJobResult {
  /** The agent refused the whole plan (a broken seal, no approval). */
  refused?: string;
  actions: ErasedAction[];
  records: Omit<AuditRecord, 'seq' | 'prev' | 'hash' | 'keyId' | 'sig'>[];
}

/**
 * A host's share of an export: the items to copy (path, item path, format, fingerprint), sealed for
 * the agent under this job's id, and the subject (for masking other people's identifiers) under the request's.
 */
export interface ExportJob {
  kind: 'export';
  request: string;
  reply: string;
  items: string;
  subject: string;
  options: { unredacted: boolean; allowChanged: boolean; limits: Partial<Limits> };
}

/** One item an export job asks for; `n` numbers it within the job. */
export interface ExportJobItem {
  n: number;
  path: string;
  itemPath: string[];
  format: string | null;
  fingerprint: Fingerprint;
}

/**
 * What an export job returns, sealed: per item what the manifest says of it, or why it is not copied.
 * The bytes went before it as chunks (dsr.export_chunk) of this `attempt` (one run of the job).
 */
export interface ExportJobResult {
  attempt: string;
  items: ExportedCopy[];
  /** Why the job could not be done at all. */
  error?: string;
}

export type ExportedCopy =
  | { n: number; reason: NotExportedItem['reason']; message: string }
  | {
      n: number;
      name: string;
      mtime?: string;
      sourceSha256: string;
      changed: string | null;
      kept: Pick<ExportedItem, 'copy' | 'masked' | 'note' | 'leftOut'>;
      /** Bytes sent and their sha256: the coordinator checks its copy against them. */
      size: number;
      sha256: string;
    };

export type AgentJob = ScanJob | EraseJob | ExportJob | IndexJob;

/** Send options every dsr job gets: redelivered after a crash, a few times over. */
export const JOB_RETRIES = 20;
/** A job whose agent went silent this long is handed out again (pg-boss's expiration). */
export const JOB_EXPIRE_SECONDS = 60 * 60;

/** A job id derived from its parent's and a name, as a UUID: a redelivered parent makes the same children. */
export function childJobId(parent: string, name: string): string {
  const h = createHash('sha256').update(`${parent}\u0000${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
