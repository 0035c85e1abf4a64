import { type Static, Type } from '@sinclair/typebox';
import { oneOf } from './build.js';
import { DetectorIdSchema, detectorCounts, EvidenceSchema, ItemRefSchema } from './common.js';

/**
 * `manifest.json` in the export zip (`dsr.export/1`, docs/file-formats.md): where each copy came from,
 * its checksums, what was masked in it, and what was not exported and why.
 */

export const EXPORT_SCHEMA = 'dsr.export/1';

const original = Type.Object(ItemRefSchema.properties, { description: 'Where the item lives.' });

export const PartLeftOutSchema = Type.Object(
  { part: Type.String(), reason: Type.String() },
  { description: 'A part of a message left out of its copy (an attachment that cannot be masked).' },
);
export type PartLeftOut = Static<typeof PartLeftOutSchema>;

export const ExportedItemSchema = Type.Object({
  id: Type.String({ description: 'The scan item id.' }),
  host: Type.Optional(
    Type.String({
      description: 'The agent whose host holds the item (a scan through agents: dsr export --db).',
    }),
  ),
  file: Type.String({ description: 'Path of the copy inside the zip (items/NNN-NAME).' }),
  original,
  categories: Type.Array(DetectorIdSchema),
  evidence: EvidenceSchema,
  size: Type.Integer({ description: 'Bytes of the copy.' }),
  sha256: Type.String({ description: 'sha256 of the copy in the zip.' }),
  sourceSha256: Type.String({
    description:
      "sha256 of the item's bytes where it lives (differs for a masked copy and an mbox message, whose separator line is dropped).",
  }),
  changed: Type.Union([Type.String(), Type.Null()], {
    description: 'Why the item differs from the scan (only with --allow-changed); null when it matches.',
  }),
  copy: Type.Union([Type.Literal('raw'), Type.Literal('masked')], {
    description:
      "raw: the item's bytes (no other people's identifiers found, or --unredacted); masked: theirs masked.",
  }),
  masked: detectorCounts("Other people's identifiers masked in the copy, per kind (empty for a raw copy)."),
  note: Type.String({ description: 'Why the copy is as it is, in words.' }),
  leftOut: Type.Array(PartLeftOutSchema),
});
export type ExportedItem = Static<typeof ExportedItemSchema>;

export const NotExportedItemSchema = Type.Object({
  id: Type.String(),
  host: Type.Optional(Type.String({ description: 'The agent whose host holds the item.' })),
  original,
  categories: Type.Array(DetectorIdSchema),
  reason: oneOf(['changed', 'missing', 'unreadable', 'imap', 'others', 'refused', 'unanswered'] as const, {
    description:
      "changed since the scan, missing, unreadable, imap (no password), others (holds other people's identifiers that cannot be masked), refused (its agent found it outside its roots), unanswered (its agent did not answer within --wait).",
  }),
  message: Type.String(),
});
export type NotExportedItem = Static<typeof NotExportedItemSchema>;

export const ExportManifestSchema = Type.Object(
  {
    schema: Type.Literal(EXPORT_SCHEMA),
    createdAt: Type.String(),
    scanId: Type.String(),
    report: Type.Object(
      { json: Type.String(), html: Type.String() },
      { description: 'The reports in the zip.' },
    ),
    unredacted: Type.Boolean({
      description: "Made with --unredacted: every copy raw, others' identifiers not masked.",
    }),
    items: Type.Array(ExportedItemSchema),
    notExported: Type.Array(NotExportedItemSchema),
  },
  {
    title: 'dsr export manifest',
    description: 'manifest.json in the zip written by dsr export (dsr.export/1).',
  },
);
export type ExportManifest = Static<typeof ExportManifestSchema>;
