import { Type } from '@sinclair/typebox';
import { oneOf } from './build.js';
import {
  DetectorIdSchema,
  EvidenceSchema,
  FingerprintSchema,
  ItemPathSchema,
  LocationSchema,
  SubjectSchema,
} from './common.js';
import { DECISIONS } from './review.js';
import { ScanErrorSchema } from './scan.js';

/**
 * The access report as JSON (`dsr.report/1`, docs/file-formats.md) and the controller profile it
 * embeds (`dsr report --controller`). The report's interfaces live with the code that builds it
 * (src/report/access/model.ts, controller.ts) and are held to these schemas at compile time there.
 */

export const REPORT_SCHEMA = 'dsr.report/1';
export const LANGS = ['da', 'en'] as const;

/** A text, or one per language: `{"da": "…", "en": "…"}`; the report picks its language. */
function localText(description?: string) {
  return Type.Union(
    [Type.String(), Type.Partial(Type.Object({ da: Type.String(), en: Type.String() }))],
    description ? { description } : {},
  );
}

export const CategoryPolicySchema = Type.Object(
  {
    label: Type.Optional(localText('Required for a category dsr does not search (address, IP address, …).')),
    purposes: Type.Array(localText(), { minItems: 1, description: 'Art. 15(1)(a).' }),
    legalBasis: Type.Array(localText(), { minItems: 1, description: 'As in art. 6.' }),
    retention: localText(),
    recipients: Type.Array(localText(), { minItems: 1, description: 'Art. 15(1)(c).' }),
    source: Type.Optional(localText()),
  },
  { description: 'What the controller states about one category of data (GDPR art. 15(1)(a)-(d), (g)).' },
);

export const ControllerProfileSchema = Type.Object(
  {
    schema: Type.Optional(Type.Literal('dsr.controller/1')),
    organisation: Type.Object({
      name: Type.String({ minLength: 1 }),
      registration: Type.Optional(Type.String()),
      address: Type.Optional(localText()),
      email: Type.Optional(Type.String()),
      phone: Type.Optional(Type.String()),
      website: Type.Optional(Type.String()),
    }),
    contact: Type.Object(
      {
        name: Type.Optional(localText()),
        role: Type.Optional(localText()),
        email: Type.String({ minLength: 1 }),
        phone: Type.Optional(Type.String()),
        address: Type.Optional(localText()),
      },
      { description: 'Where the subject turns: the DPO or privacy contact.' },
    ),
    supervisoryAuthority: Type.Optional(
      Type.Object(
        { name: localText(), url: Type.Optional(Type.String()) },
        { description: 'Default: Datatilsynet.' },
      ),
    ),
    transfers: Type.Optional(localText()),
    categories: Type.Record(Type.String(), CategoryPolicySchema, {
      description:
        "By category: a detector's id (README.md's detector table; face: photos and video), or any other key with a label.",
    }),
  },
  {
    title: 'dsr controller profile',
    description:
      'dsr report --controller FILE: who the controller is and what it does with each category of data (see fixtures/controller.example.json).',
  },
);

const ReportCategorySchema = Type.Object({
  id: DetectorIdSchema,
  items: Type.Integer(),
  findings: Type.Integer(),
  values: Type.Array(Type.String(), { description: 'Distinct values found, as normalised by the detector.' }),
  policy: Type.Union([CategoryPolicySchema, Type.Null()]),
});

const ReportSourceSchema = Type.Object({
  label: Type.String({
    description: 'What the subject sees as the place: a top folder, a mailbox or a container.',
  }),
  kind: oneOf(['folder', 'mailbox', 'container', 'file'] as const),
  itemIds: Type.Array(Type.String()),
});

const ReportFindingSchema = Type.Object({
  id: Type.String(),
  category: DetectorIdSchema,
  value: Type.String(),
  confidence: Type.Number(),
  location: LocationSchema,
  context: Type.String({ description: "Short text around the value; other people's identifiers masked." }),
});

const ReportItemSchema = Type.Object({
  id: Type.String(),
  path: Type.String(),
  itemPath: ItemPathSchema,
  source: Type.String({ description: 'The sources[].label it is grouped under.' }),
  evidence: EvidenceSchema,
  decision: Type.Union([oneOf(DECISIONS), Type.Null()], {
    description: "A reviewer's decision (include or keep); null when nobody reviewed the item.",
  }),
  keepReason: Type.Union([Type.String(), Type.Null()], {
    description: 'Why the item is kept (decision keep).',
  }),
  format: Type.Union([Type.String(), Type.Null()]),
  categories: Type.Array(DetectorIdSchema),
  fingerprint: FingerprintSchema,
  findings: Type.Array(ReportFindingSchema),
});

export const AccessReportSchema = Type.Object(
  {
    schema: Type.Literal(REPORT_SCHEMA),
    generatedAt: Type.String(),
    lang: oneOf(LANGS),
    draft: Type.Boolean({
      description:
        'True while possible or namesake items are unreviewed, or without a controller profile: not ready to send.',
    }),
    subject: Type.Object(SubjectSchema.properties, {
      description: 'Who the report is about; identifiers of kinds not in given are masked.',
    }),
    given: Type.Array(DetectorIdSchema, {
      description: 'The kinds of identifier the subject gave (--given), as the ids of their detectors.',
    }),
    controller: Type.Union([ControllerProfileSchema, Type.Null()]),
    scan: Type.Object({
      scanId: Type.String(),
      startedAt: Type.String(),
      finishedAt: Type.String(),
      interrupted: Type.Boolean(),
      roots: Type.Array(Type.Object({ path: Type.String(), kind: oneOf(['folder', 'mailbox'] as const) })),
      stats: Type.Object({
        files: Type.Integer(),
        items: Type.Integer(),
        bytes: Type.Integer(),
        skipped: Type.Integer(),
        errors: Type.Integer(),
      }),
      filesListed: Type.Union([Type.Integer(), Type.Null()], {
        description: "Files in the scan's scanned list; null when it ran with --no-file-list.",
      }),
      skippedLinks: Type.Integer({ description: 'Symbolic links not followed (of stats.skipped).' }),
      skippedSpecial: Type.Integer({
        description: 'Special files (named pipes, sockets, devices) not read (of stats.skipped).',
      }),
      errors: Type.Array(ScanErrorSchema),
    }),
    selection: Type.Object({
      includePossible: Type.Boolean(),
      reviewFile: Type.Union([Type.String(), Type.Null()]),
      reported: Type.Integer(),
      needsReview: Type.Object({ possible: Type.Integer(), namesake: Type.Integer() }),
      excludedByReviewer: Type.Integer({ description: 'Items a reviewer excluded or marked namesake.' }),
      kept: Type.Integer({ description: 'Items a reviewer kept (reported, with the reason).' }),
    }),
    categories: Type.Array(ReportCategorySchema),
    sources: Type.Array(ReportSourceSchema),
    items: Type.Array(ReportItemSchema),
  },
  {
    title: 'dsr access report',
    description: 'dsr report --format json (dsr.report/1): the same content as the HTML report.',
  },
);
