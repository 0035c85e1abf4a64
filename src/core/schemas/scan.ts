import { type Static, Type } from '@sinclair/typebox';
import type { ErrorKind, Finding, ItemRecord, MessageRef, ScanError, ScanFile } from '../types.js';
import { type Assert, oneOf, type Same } from './build.js';
import {
  DetectorIdSchema,
  detectorCounts,
  EvidenceSchema,
  FingerprintSchema,
  ItemPathSchema,
  LocationSchema,
  SubjectSchema,
} from './common.js';

/**
 * The scan file (`dsr.scan/1`, docs/file-formats.md). It is written piece by piece (findings and file
 * lists are streamed from spools), so the writer does not build it from this schema; the schema
 * describes the finished document, and `loadScanFile` checks what it reads against it. Extra fields are
 * welcome anywhere in a scan file: no object here forbids them.
 */

export const SCAN_SCHEMA = 'dsr.scan/1';

export const ERROR_KINDS = [
  'corrupt',
  'limit',
  'permission',
  'timeout',
  'encrypted',
  'unsupported',
  'connection',
] as const;

export const ScanErrorSchema = Type.Object(
  {
    path: Type.String(),
    itemPath: ItemPathSchema,
    message: Type.String(),
    kind: oneOf(ERROR_KINDS, {
      description:
        'permission, corrupt, limit (over a limit), timeout, encrypted, unsupported (incl. text only as pictures), connection (an IMAP server went away).',
    }),
  },
  { description: 'Something that could not be read fully; any error makes the exit code 3.' },
);

export const FindingSchema = Type.Object(
  {
    id: Type.String(),
    path: Type.String({ description: 'The file on disk, or an IMAP message URL.' }),
    itemPath: ItemPathSchema,
    itemId: Type.String({ description: 'The id of the item the finding is in.' }),
    detector: DetectorIdSchema,
    subject: Type.Boolean({ description: "Whether the value is one of the subject's identifiers." }),
    value: Type.String({ description: 'The value, normalised (CPR as DDMMYY-SSSS, phone as +4521436587).' }),
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    evidence: Type.Union([EvidenceSchema, Type.Literal('none')], {
      description:
        "The evidence level of the finding's item; none for someone else's identifier in an item without the subject (--all).",
    }),
    location: LocationSchema,
    context: Type.String({ description: 'About 40 characters each side of the value.' }),
  },
  { description: 'One value found.' },
);

export const MessageRefSchema = Type.Object(
  {
    kind: oneOf(['mbox', 'maildir', 'imap', 'eml', 'msg', 'pst'] as const),
    itemPath: ItemPathSchema,
    fingerprint: FingerprintSchema,
  },
  { description: 'The message erasure would remove, for items in mail stores.' },
);

export const ItemRecordSchema = Type.Object(
  {
    id: Type.String({ description: 'Stable: the same path and itemPath give the same id in the next scan.' }),
    path: Type.String(),
    itemPath: ItemPathSchema,
    evidence: EvidenceSchema,
    detectors: Type.Array(DetectorIdSchema, { description: "The detectors that found the subject's data." }),
    fingerprint: FingerprintSchema,
    others: Type.Optional(
      detectorCounts(
        "Other people's identifiers in the same item, per detector: why it is shared or a namesake.",
      ),
    ),
    correspondents: Type.Optional(
      Type.Integer({
        description: 'A message: how many of others.email are in its own address header fields.',
      }),
    ),
    messageOthers: Type.Optional(
      detectorCounts(
        "An item in a message: other people's identifiers in the parts of the message that are no items of their own.",
      ),
    ),
    format: Type.Optional(
      Type.String({ description: 'The extractor that read the item: text, html, pdf, …' }),
    ),
    message: Type.Optional(MessageRefSchema),
    scannedAt: Type.Optional(Type.String()),
  },
  { description: "An item with at least one of the subject's findings." },
);

export const ScanFileSchema = Type.Object(
  {
    schema: Type.Literal(SCAN_SCHEMA),
    scanId: Type.String({ description: 'A fresh id per run.' }),
    startedAt: Type.String({ description: 'ISO time.' }),
    finishedAt: Type.String({ description: 'ISO time.' }),
    interrupted: Type.Optional(
      Type.Boolean({
        description: 'True when the scan was stopped (Ctrl-C, SIGTERM): it holds what was finished.',
      }),
    ),
    roots: Type.Array(Type.String(), { description: 'The absolute roots and mailbox URLs searched.' }),
    subject: SubjectSchema,
    options: Type.Optional(
      Type.Object(
        { all: Type.Boolean(), excludes: Type.Array(Type.String()) },
        { description: 'How it was made.' },
      ),
    ),
    index: Type.Optional(
      Type.Object(
        {
          candidates: Type.Integer(),
          changed: Type.Integer(),
          added: Type.Integer(),
          unchanged: Type.Integer(),
        },
        { description: 'A scan answered from an index: how many files were read again and why.' },
      ),
    ),
    stats: Type.Object({
      files: Type.Integer(),
      items: Type.Integer(),
      bytes: Type.Integer(),
      skipped: Type.Integer(),
      errors: Type.Integer(),
    }),
    skippedFiles: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), reason: Type.String() }), {
        description: 'Files not searched on purpose: symlink, special file, binary, subject file, scan file.',
      }),
    ),
    findings: Type.Array(FindingSchema),
    items: Type.Array(ItemRecordSchema),
    errors: Type.Array(ScanErrorSchema),
    scanned: Type.Optional(
      Type.Array(Type.String(), { description: 'Every file visited; left out with --no-file-list.' }),
    ),
  },
  {
    title: 'dsr scan file',
    description: 'What dsr scan writes (dsr.scan/1). A record: never edited; extra fields are welcome.',
  },
);

/** The scan file's TypeScript types (src/core/types.ts) are exactly what this schema describes. */
export type ScanFileMatchesSchema = Assert<Same<ScanFile, Static<typeof ScanFileSchema>>>;
export type FindingMatchesSchema = Assert<Same<Finding, Static<typeof FindingSchema>>>;
export type ItemRecordMatchesSchema = Assert<Same<ItemRecord, Static<typeof ItemRecordSchema>>>;
export type MessageRefMatchesSchema = Assert<Same<MessageRef, Static<typeof MessageRefSchema>>>;
export type ScanErrorMatchesSchema = Assert<Same<ScanError, Static<typeof ScanErrorSchema>>>;
export type ErrorKindMatchesSchema = Assert<Same<ErrorKind, (typeof ERROR_KINDS)[number]>>;
