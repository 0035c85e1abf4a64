import { PLAN_SCHEMA, type Plan, PlanSchema } from '../core/schemas/plan.js';
import { schemaProblem } from '../core/schemas/problem.js';
import { approvalHash, planHash } from './plan-seal.js';

/**
 * Strict check of a plan read from disk: a plan is an instruction to destroy data, so anything dsr did
 * not write itself — an unknown field, a newer schema, an edit after the hash or the approval — is refused.
 * Returns a message naming the problem, or undefined when the plan is intact.
 */
export function validatePlan(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'not a dsr plan (expected a JSON object)';
  const schema = (value as { schema?: unknown }).schema;
  if (schema !== PLAN_SCHEMA) {
    const m = typeof schema === 'string' ? /^dsr\.plan\/(\d+)$/.exec(schema) : null;
    if (m && Number(m[1]) > 1)
      return `plan schema ${schema} is newer than this dsr understands (${PLAN_SCHEMA}); use a newer dsr`;
    return `not a dsr plan (schema ${JSON.stringify(schema)}, expected ${PLAN_SCHEMA})`;
  }
  const problem = schemaProblem(PlanSchema, value);
  if (problem) return problem;
  const plan = value as Plan;
  const ids = new Set<string>();
  for (const [i, a] of plan.actions.entries()) {
    if (ids.has(a.id)) return `actions[${i}]: duplicate action id ${a.id}`;
    ids.add(a.id);
  }
  if (planHash(plan) !== plan.sha256)
    return 'the plan was edited after it was made (its sha256 does not match its content)';
  if (plan.approval && approvalHash(plan.sha256, plan.approval.by, plan.approval.at) !== plan.approval.sha256)
    return 'the approval seal is broken: the plan or its approval was edited after approval';
  return undefined;
}
