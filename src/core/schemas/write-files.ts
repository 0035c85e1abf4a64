import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCUMENT_SCHEMAS, schemaFileText } from './index.js';

/**
 * `npm run schemas`: writes docs/schemas/<name>.schema.json from the schemas in code, and removes
 * schema files no document has any more. test/docs/schemas.test.ts fails when the committed files differ.
 */
const here = dirname(fileURLToPath(import.meta.url));
// Built to dist/src/core/schemas/: the project is four folders up.
const out = resolve(here, '../../../../docs/schemas');
mkdirSync(out, { recursive: true });
const names = new Set<string>();
for (const [name, schema] of Object.entries(DOCUMENT_SCHEMAS)) {
  const file = `${name}.schema.json`;
  names.add(file);
  writeFileSync(join(out, file), schemaFileText(schema));
}
for (const file of readdirSync(out)) if (!names.has(file)) rmSync(join(out, file));
console.log(`${names.size} schemas written to ${out}`);
