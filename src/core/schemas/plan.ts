import { type Static, type TLiteral, type TProperties, Type } from '@sinclair/typebox';
import {
  DetectorIdSchema,
  detectorCounts,
  EvidenceSchema,
  FingerprintSchema,
  SubjectSchema,
} from './common.js';

/**
 * The erasure plan (`dsr.plan/1`, docs/file-formats.md). A plan is an instruction to destroy data, so
 * it is strict: every object forbids fields dsr does not write, and `src/erase/validate.ts` refuses a
 * plan that does not fit (then checks its hashes). The plan's TypeScript types are this schema's.
 */

export const PLAN_SCHEMA = 'dsr.plan/1';

export const ACTION_KINDS = [
  'delete-file',
  'remove-mbox-message',
  'delete-maildir-message',
  'expunge-imap-message',
  'redact-text',
  'remove-face-tags',
  'redact-office',
  'edit-archive',
  'remove-attachment',
  'redact-attachment',
  'manual',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

const strict = { additionalProperties: false } as const;

export const PlannedSpanSchema = Type.Object(
  {
    detector: DetectorIdSchema,
    field: Type.Optional(Type.String()),
    line: Type.Optional(Type.Integer()),
    column: Type.Optional(Type.Integer()),
    offset: Type.Optional(Type.Integer()),
    masked: Type.String({
      description: 'The value, masked (1503XX-XXXX): the plan names, the subject holds.',
    }),
  },
  { ...strict, description: "One place of the subject's data that a redaction replaces." },
);
export type PlannedSpan = Static<typeof PlannedSpanSchema>;

const ACTION_BASE = {
  id: Type.String({ description: 'Stable: the same unit in the same place gets the same id.' }),
  host: Type.Optional(
    Type.String({
      description: 'A plan from a scan through agents: the agent that erases it (dsr erase --db).',
    }),
  ),
  path: Type.String({ minLength: 1, description: 'The file on disk, or the IMAP URL of the message.' }),
  itemPath: Type.Array(Type.String(), {
    description: 'The unit erased inside path (a message), empty for a whole file.',
  }),
  items: Type.Array(Type.String(), { description: 'Ids of the scan items this action covers.' }),
  evidence: EvidenceSchema,
  detectors: Type.Array(DetectorIdSchema),
  format: Type.Optional(Type.String()),
  others: Type.Optional(detectorCounts("Other people's identifiers in the unit, as the scan saw them.")),
  fingerprint: Type.Object(FingerprintSchema.properties, {
    ...strict,
    description: 'What the unit looked like when it was planned; erase refuses to act when it differs.',
  }),
  rule: Type.String({
    description: 'The planning rule that chose this action (docs/cli.md, "The deletion and redaction rule").',
  }),
};

function action<K extends ActionKind, P extends TProperties>(kind: K, extra: P, description: string) {
  return Type.Object(
    { ...ACTION_BASE, kind: Type.Literal(kind) as TLiteral<K>, ...extra },
    { ...strict, description },
  );
}

export const DeleteFileActionSchema = action('delete-file', {}, 'Unlink a file.');
export const RemoveMboxMessageActionSchema = action(
  'remove-mbox-message',
  {},
  'Cut one message (its byte range) out of an mbox.',
);
export const DeleteMaildirMessageActionSchema = action(
  'delete-maildir-message',
  {},
  'Delete a Maildir message.',
);
export const ExpungeImapMessageActionSchema = action(
  'expunge-imap-message',
  { mailbox: Type.String(), uidValidity: Type.String(), uid: Type.Integer() },
  'Flag one IMAP message \\Deleted and UID EXPUNGE it.',
);
export const RedactTextActionSchema = action(
  'redact-text',
  { spans: Type.Array(PlannedSpanSchema) },
  "Replace the subject's values in a text file.",
);
export const RemoveFaceTagsActionSchema = action(
  'remove-face-tags',
  { blurFaces: Type.Boolean() },
  "Drop the subject's face regions and person tags from a photo's metadata.",
);
export const PictureTagsSchema = Type.Object(
  {
    itemPath: Type.Array(Type.String(), {
      minItems: 1,
      description: 'The picture, as the scan names it (`member word/media/image1.jpeg`).',
    }),
    fingerprint: Type.Object(FingerprintSchema.properties, {
      ...strict,
      description: "The picture's bytes as scanned (sha256); a picture that differs is stale.",
    }),
    spans: Type.Array(PlannedSpanSchema),
  },
  {
    ...strict,
    description:
      "A picture inside the document whose face regions and person tags of the subject are removed, as from a photo; everyone else's stay.",
  },
);
export type PictureTags = Static<typeof PictureTagsSchema>;
export const RedactOfficeActionSchema = action(
  'redact-office',
  { spans: Type.Array(PlannedSpanSchema), pictures: Type.Optional(Type.Array(PictureTagsSchema)) },
  "Replace the subject's values in the parts of an Office or OpenDocument file, and remove the subject's tags from its pictures; the other parts are copied byte for byte.",
);
export const ArchiveMemberChangeSchema = Type.Object(
  {
    itemPath: Type.Array(Type.String(), { minItems: 1, description: 'The member, as the scan names it.' }),
    change: Type.Union([Type.Literal('remove'), Type.Literal('redact')]),
    format: Type.Optional(Type.String()),
    fingerprint: Type.Object(FingerprintSchema.properties, {
      ...strict,
      description: "The member's content as scanned (sha256 of its bytes); a member that differs is stale.",
    }),
    spans: Type.Array(PlannedSpanSchema),
  },
  { ...strict, description: 'One member of an archive removed, or redacted in place.' },
);
export type ArchiveMemberChange = Static<typeof ArchiveMemberChangeSchema>;
export const EditArchiveActionSchema = action(
  'edit-archive',
  { members: Type.Array(ArchiveMemberChangeSchema, { minItems: 1 }) },
  'Remove or redact members of a zip, tar or gzip (in nested archives too); every other member is copied byte for byte.',
);
/** Where an attachment's message is, and which attachment (itemPath is the attachment's own). */
const ATTACHMENT_FIELDS = {
  container: Type.Union(
    [Type.Literal('eml'), Type.Literal('maildir'), Type.Literal('mbox'), Type.Literal('imap')],
    {
      description:
        "The mail store the message is in: fingerprint is the message's (file, mbox byte range, IMAP UID).",
    },
  ),
  attachmentSha256: Type.String({ description: "sha256 of the attachment's decoded content as scanned." }),
  mailbox: Type.Optional(Type.String()),
  uidValidity: Type.Optional(Type.String()),
  uid: Type.Optional(Type.Integer()),
};
export const RemoveAttachmentActionSchema = action(
  'remove-attachment',
  ATTACHMENT_FIELDS,
  'Replace one attachment of a message by a short text part; every other part stays byte-identical.',
);
export const RedactAttachmentActionSchema = action(
  'redact-attachment',
  { ...ATTACHMENT_FIELDS, spans: Type.Array(PlannedSpanSchema) },
  "Replace the subject's values in a text attachment; its header and every other part stay byte-identical.",
);
export const ManualActionSchema = action(
  'manual',
  {
    reason: Type.String({ description: 'Why dsr does not act, and what a person must do.' }),
    sql: Type.Optional(
      Type.String({
        description:
          "For a database row: the SQL a person could run (on a backup first) to delete the row or clear the columns holding the subject's data.",
      }),
    ),
    pages: Type.Optional(
      Type.Array(Type.Object({ page: Type.Integer(), detectors: Type.Array(DetectorIdSchema) }, strict), {
        description: "A document's pages that hold the subject's data, and what kind.",
      }),
    ),
  },
  'Left for a person.',
);

export const ActionSchema = Type.Union([
  DeleteFileActionSchema,
  RemoveMboxMessageActionSchema,
  DeleteMaildirMessageActionSchema,
  ExpungeImapMessageActionSchema,
  RedactTextActionSchema,
  RemoveFaceTagsActionSchema,
  RedactOfficeActionSchema,
  EditArchiveActionSchema,
  RemoveAttachmentActionSchema,
  RedactAttachmentActionSchema,
  ManualActionSchema,
]);

export type DeleteFileAction = Static<typeof DeleteFileActionSchema>;
export type RemoveMboxMessageAction = Static<typeof RemoveMboxMessageActionSchema>;
export type DeleteMaildirMessageAction = Static<typeof DeleteMaildirMessageActionSchema>;
export type ExpungeImapMessageAction = Static<typeof ExpungeImapMessageActionSchema>;
export type RedactTextAction = Static<typeof RedactTextActionSchema>;
export type RemoveFaceTagsAction = Static<typeof RemoveFaceTagsActionSchema>;
export type RedactOfficeAction = Static<typeof RedactOfficeActionSchema>;
export type EditArchiveAction = Static<typeof EditArchiveActionSchema>;
export type RemoveAttachmentAction = Static<typeof RemoveAttachmentActionSchema>;
export type RedactAttachmentAction = Static<typeof RedactAttachmentActionSchema>;
export type ManualAction = Static<typeof ManualActionSchema>;
export type Action = Static<typeof ActionSchema>;

export const PlanApprovalSchema = Type.Object(
  {
    by: Type.String(),
    at: Type.String(),
    sha256: Type.String({
      description: "sha256 over the plan's sha256, by and at: any later edit breaks it.",
    }),
  },
  { ...strict, description: 'Who approved the plan and when (dsr plan --approve).' },
);
export type PlanApproval = Static<typeof PlanApprovalSchema>;

export const PlanSchema = Type.Object(
  {
    schema: Type.Literal(PLAN_SCHEMA),
    createdAt: Type.String(),
    scanId: Type.String(),
    roots: Type.Array(Type.String(), { minItems: 1 }),
    subject: Type.Object(SubjectSchema.properties, {
      ...strict,
      description:
        "The subject's identifiers as given to the scan: erase needs them to redact and to verify.",
    }),
    options: Type.Object({ includePossible: Type.Boolean(), blurFaces: Type.Boolean() }, strict),
    actions: Type.Array(ActionSchema),
    sha256: Type.String({
      description: 'sha256 over the canonical JSON of everything but itself and approval.',
    }),
    approval: Type.Optional(PlanApprovalSchema),
  },
  {
    ...strict,
    title: 'dsr erasure plan',
    description: 'What dsr plan writes (dsr.plan/1): one action per erasable unit, sealed by a hash.',
  },
);
export type Plan = Static<typeof PlanSchema>;
