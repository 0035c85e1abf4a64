import { type Static, Type } from '@sinclair/typebox';

/**
 * One line of the audit log that `dsr erase --execute` appends to (JSON Lines, docs/file-formats.md),
 * and the head line that anchors the log's end outside it. `src/erase/audit.ts` writes and verifies them.
 */

const SHA256 = '^[0-9a-f]{64}$';

export const AuditRecordSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'Position in the log, from 1.' }),
    time: Type.String({ description: 'When the action ended (ISO time).' }),
    runId: Type.String({ description: 'One id per dsr erase run.' }),
    plan: Type.String({ description: "The plan's sha256." }),
    approver: Type.Union([Type.String(), Type.Null()], { description: 'Who approved the plan.' }),
    action: Type.String({ description: "The plan action's id." }),
    kind: Type.String({ description: 'The action kind (delete-file, redact-text, …).' }),
    target: Type.Object({
      path: Type.String({ description: "The target's path, the subject's identifiers in it masked." }),
      pathSha256: Type.String({ description: 'sha256 of the real path.' }),
      itemPath: Type.Array(Type.String(), { description: 'The unit inside the file, message ids hashed.' }),
    }),
    before: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
      description: 'Fingerprint before (hashes, sizes, offsets).',
    }),
    after: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
      description: 'Fingerprint after; null when the target is gone, {"unchanged": true} when not acted on.',
    }),
    result: Type.String({ description: 'done, stale, refused, locked, manual, skipped or failed.' }),
    reason: Type.Union([Type.String(), Type.Null()]),
    prev: Type.String({
      pattern: SHA256,
      description: "The previous record's hash (64 zeros for the first).",
    }),
    keyId: Type.Optional(
      Type.String({
        description: 'The id of the key that signed the record; absent in logs of older versions.',
      }),
    ),
    hash: Type.String({
      pattern: SHA256,
      description: 'sha256 over the canonical JSON of this record without hash and sig.',
    }),
    sig: Type.Optional(Type.String({ description: 'Ed25519 signature (base64) of hash.' })),
  },
  {
    title: 'dsr audit log record',
    description: 'One line of the audit log (JSON Lines): one record per action of dsr erase --execute.',
  },
);
export type AuditRecord = Static<typeof AuditRecordSchema>;

/** `dsr-audit-head/1 records=54 last=<sha256> key=<key id>`: the line to keep apart from the log. */
export const AUDIT_HEAD_PATTERN =
  '^dsr-audit-head/1 records=(\\d+) last=([0-9a-f]{64})(?: key=([0-9a-f]{16}))?$';

export const AuditHeadSchema = Type.String({
  pattern: AUDIT_HEAD_PATTERN,
  title: 'dsr audit head line',
  description:
    'Printed by dsr erase --execute and written to the journal: the record count and last hash of the log.',
});
