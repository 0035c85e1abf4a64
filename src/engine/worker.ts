import type { ItemInput, Subject } from '../core/types.js';
import { type CompiledSubject, compileSubject, EMPTY_SUBJECT } from '../match/subject.js';
import type { Limits } from './limits.js';
import { scanTopLevel, type TopLevelResult } from './scan-item.js';

/** A unit of work for a worker thread: one top-level file or fetched message. */
export interface ScanTask {
  input: ItemInput;
  subject: Subject | null;
  all: boolean;
  limits: Limits;
}

let cached: { key: string; compiled: CompiledSubject } | undefined;

function subjectFor(subject: Subject | null): CompiledSubject {
  if (!subject) return EMPTY_SUBJECT;
  const key = JSON.stringify(subject);
  if (cached?.key !== key) cached = { key, compiled: compileSubject(subject) };
  return cached.compiled;
}

/** Piscina entry point. Extraction and detection are CPU-bound and may loop on hostile input, so they run here. */
export default async function runTask(task: ScanTask): Promise<TopLevelResult> {
  return scanTopLevel(task.input, { subject: subjectFor(task.subject), all: task.all, limits: task.limits });
}
