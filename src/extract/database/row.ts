/** A database row handed from the database extractor to the row extractor: `[column, text]` pairs. */
export type RowField = [column: string, text: string];

export function encodeRow(fields: RowField[]): Buffer {
  return Buffer.from(JSON.stringify(fields), 'utf8');
}

export function decodeRow(data: Uint8Array): RowField[] | undefined {
  try {
    const parsed: unknown = JSON.parse(
      Buffer.from(data.buffer, data.byteOffset, data.length).toString('utf8'),
    );
    if (
      Array.isArray(parsed) &&
      parsed.every((f) => Array.isArray(f) && f.length === 2 && f.every((s) => typeof s === 'string'))
    )
      return parsed as RowField[];
  } catch {
    // Not a row: handled by the caller.
  }
  return undefined;
}

const FIRST = /^(?:first|given|fore|f)[ _-]?name$|^fornavn$|^firstname$|^givenname$/i;
const MIDDLE = /^(?:middle|m)[ _-]?names?$|^mellemnavne?$/i;
const LAST = /^(?:last|sur|family|l)[ _-]?name$|^surname$|^efternavn$|^lastname$|^familyname$/i;

/**
 * The person's name a row holds in separate columns (`fornavn`, `efternavn`; `first_name`, `last_name`),
 * joined as it would be written, with the columns it came from (`fornavn+efternavn`).
 */
export function splitName(fields: RowField[]): RowField | undefined {
  const pick = (re: RegExp) => fields.find(([column, text]) => re.test(column.trim()) && text.trim());
  const first = pick(FIRST);
  const last = pick(LAST);
  if (!first || !last) return undefined;
  const parts = [first, pick(MIDDLE), last].filter((f): f is RowField => f !== undefined);
  return [parts.map(([c]) => c).join('+'), parts.map(([, t]) => t.trim()).join(' ')];
}
