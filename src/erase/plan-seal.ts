import type { Plan } from '../core/schemas/plan.js';
import { canonicalHash } from './canonical.js';

/** The seals of a plan: its own hash, and the approval's hash bound to it, who approved it and when. */

/** sha256 over the canonical JSON of the plan without `sha256` and `approval`. */
export function planHash(
  plan: Omit<Plan, 'sha256' | 'approval'> & { sha256?: string; approval?: unknown },
): string {
  const { sha256: _s, approval: _a, ...body } = plan;
  return canonicalHash(body);
}

export function approvalHash(planSha256: string, by: string, at: string): string {
  return canonicalHash({ plan: planSha256, by, at });
}
