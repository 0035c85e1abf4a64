import type { TSchema } from '@sinclair/typebox';
import { AuditHeadSchema, AuditRecordSchema } from './audit.js';
import { CliSummarySchema } from './cli-summary.js';
import { ExportManifestSchema } from './export.js';
import { PlanSchema } from './plan.js';
import { AccessReportSchema, ControllerProfileSchema } from './report.js';
import { ReviewSchema, ReviewV1Schema } from './review.js';
import { ScanFileSchema } from './scan.js';

/** Every file format dsr writes or reads, by the name of its schema file in docs/schemas/. */
export const DOCUMENT_SCHEMAS: Record<string, TSchema> = {
  scan: ScanFileSchema,
  report: AccessReportSchema,
  controller: ControllerProfileSchema,
  plan: PlanSchema,
  review: ReviewSchema,
  'review-v1': ReviewV1Schema,
  'audit-record': AuditRecordSchema,
  'audit-head': AuditHeadSchema,
  'export-manifest': ExportManifestSchema,
  'cli-summary': CliSummarySchema,
};

/** The text of `docs/schemas/<name>.schema.json`: the schema object as JSON (TypeBox's own keys are symbols). */
export function schemaFileText(schema: TSchema): string {
  const document = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: schema.title,
    description: schema.description,
    ...schema,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
