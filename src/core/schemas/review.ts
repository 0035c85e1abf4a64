import { type Static, Type } from '@sinclair/typebox';
import { oneOf } from './build.js';

/**
 * Review decisions (`dsr.review/2`, docs/file-formats.md), kept beside the scan in `SCAN.review.json`
 * and written by `dsr review` or by hand. A `dsr.review/1` file is still read (src/review/decisions.ts
 * says how); extra fields are kept as they are.
 */

export const REVIEW_SCHEMA = 'dsr.review/2';
/** The first schema, whose `exclude` meant "keep the item (e.g. a legal obligation)". */
export const REVIEW_SCHEMA_V1 = 'dsr.review/1';

export const DECISIONS = ['include', 'exclude', 'namesake', 'keep'] as const;
/**
 * A reviewer's decision about one item:
 * - `include`: the subject's, to report and to erase;
 * - `exclude`: not the subject's data: in neither the report nor a plan;
 * - `namesake`: someone else with the subject's name: in neither;
 * - `keep`: the subject's, kept for a stated reason (`note`, e.g. a legal obligation): in the access
 *   report with that reason, never in an erasure plan.
 */
export type Decision = (typeof DECISIONS)[number];

function decisionEntry<T extends string>(decisions: readonly T[], description: string) {
  return Type.Object({
    decision: oneOf(decisions, { description }),
    by: Type.String({ description: 'Who decided (dsr review --reviewer, default the OS user).' }),
    at: Type.String({ description: 'When (ISO time).' }),
    note: Type.Optional(
      Type.String({ description: "The reviewer's note; for keep, the reason the item is kept." }),
    ),
  });
}

export const DecisionEntrySchema = decisionEntry(
  DECISIONS,
  "include: the subject's, reported and erased; keep: the subject's, reported with the reason in note, never erased; exclude: not the subject's; namesake: someone else with the same name.",
);
export type DecisionEntry = Static<typeof DecisionEntrySchema>;

export const ReviewSchema = Type.Object(
  {
    schema: Type.Literal(REVIEW_SCHEMA),
    scanId: Type.String({ description: 'The scan the decisions belong to.' }),
    decisions: Type.Record(Type.String(), DecisionEntrySchema, { description: 'By item id.' }),
  },
  {
    title: 'dsr review decisions',
    description: 'Decisions about the items of one scan (dsr.review/2), in SCAN.review.json beside it.',
  },
);
export type ReviewDocument = Static<typeof ReviewSchema>;

/** The first version: no `keep`; its `exclude` is read as `keep` (see loadDecisions). */
export const ReviewV1Schema = Type.Object(
  {
    schema: Type.Literal(REVIEW_SCHEMA_V1),
    scanId: Type.String(),
    decisions: Type.Record(
      Type.String(),
      decisionEntry(
        ['include', 'exclude', 'namesake'],
        'exclude is read as keep, with a reason that says so.',
      ),
    ),
  },
  {
    title: 'dsr review decisions, first version',
    description:
      'dsr.review/1: still read; its exclude (offered as "keep the item, e.g. a legal obligation") is read as keep.',
  },
);
