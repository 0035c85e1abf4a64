import { createHmac } from 'node:crypto';
import type { MessagePort } from 'node:worker_threads';
import type { ItemInput, Subject } from '../core/types.js';
import { collectTokens } from '../index/tokens.js';
import { type CompiledSubject, compileSubject, EMPTY_SUBJECT } from '../match/subject.js';
import type { Limits } from './limits.js';
import { scanTopLevel, type TopLevelResult } from './scan-item.js';

/** A unit of work for a worker thread: one top-level file or fetched message. */
export interface ScanTask {
  input: ItemInput;
  subject: Subject | null;
  all: boolean;
  limits: Limits;
  /** Index mode: collect keyed hashes of identifier tokens instead of detecting (the key is the MAC key, base64). */
  index?: { macKey: string };
  /** Told when a worker begins the task, so the item's time limit starts then (see ScanPool.run). */
  started?: MessagePort;
}

let cached: { key: string; compiled: CompiledSubject } | undefined;

function subjectFor(subject: Subject | null): CompiledSubject {
  if (!subject) return EMPTY_SUBJECT;
  const key = JSON.stringify(subject);
  if (cached?.key !== key) cached = { key, compiled: compileSubject(subject) };
  return cached.compiled;
}

/** Piscina entry point. Extraction and detection are CPU-bound and may loop on hostile input, so they run here. */
export default async function runTask(task: ScanTask, signal?: AbortSignal): Promise<TopLevelResult> {
  task.started?.postMessage('started');
  task.started?.close();
  const opts = { subject: subjectFor(task.subject), all: task.all, limits: task.limits, signal };
  if (!task.index) return scanTopLevel(task.input, opts);
  const tokens = new Set<string>();
  const result = await scanTopLevel(task.input, {
    ...opts,
    detectors: [],
    onChunk: (chunk) => collectTokens(chunk.text, tokens),
  });
  const macKey = Buffer.from(task.index.macKey, 'base64');
  result.tokens = [...tokens].map((t) =>
    createHmac('sha256', macKey).update(t).digest().subarray(0, 16).toString('hex'),
  );
  return result;
}
