import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'vitest';
import { PROJECT } from './cli.js';

const validate = new Ajv().compile(
  JSON.parse(readFileSync(join(PROJECT, 'docs/schemas/cli-summary.schema.json'), 'utf8')),
);

/** The one JSON line of a stream that must hold nothing else (`dsr … --json`), checked against the committed schema. */
// biome-ignore lint/suspicious/noExplicitAny: a test reads the summary's fields freely
export function onlySummary(stream: string): Record<string, any> {
  expect(stream.endsWith('\n'), stream).toBe(true);
  const lines = stream.slice(0, -1).split('\n');
  expect(lines, stream).toHaveLength(1);
  const summary = JSON.parse(lines[0]);
  expect(validate(summary), JSON.stringify(validate.errors)).toBe(true);
  return summary;
}
