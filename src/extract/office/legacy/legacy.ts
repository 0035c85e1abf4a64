import CFB from 'cfb';
import { ExtractError } from '../../../core/errors.js';
import type { ItemInput } from '../../../core/types.js';
import type { ExtractContext } from '../../api.js';
import { memberRef } from '../../archive/members.js';
import { LEGACY_OFFICE_EXTENSIONS } from '../../formats.js';
import { extensionOf } from '../../read.js';
import { readWordDocument } from './doc.js';
import { embeddedObjects } from './embedded.js';
import { propertySetLines } from './ole-properties.js';
import { readPresentation } from './ppt.js';
import { readWorkbook } from './xls.js';

/**
 * Reads a Word, Excel or PowerPoint 97-2003 file (an OLE compound file, opened with `cfb`): its text
 * by the stream it holds (`WordDocument`, `Workbook`, `PowerPoint Document`) and its document
 * properties. Password protection is `encrypted`; a container that cannot be opened is `corrupt`.
 */
export async function readLegacyOffice(input: ItemInput, ctx: ExtractContext): Promise<void> {
  const file = await ctx.readAll();
  let container: CFB.CFB$Container;
  try {
    container = CFB.read(file, { type: 'buffer' });
  } catch (e) {
    throw new ExtractError('corrupt', 'not a readable OLE compound file (damaged or truncated); not read', {
      cause: e,
    });
  }
  const stream = (name: string): Buffer | undefined => {
    const entry = CFB.find(container, `/${name}`);
    if (entry?.type !== 2 || !entry.content) return undefined;
    const c = entry.content as Uint8Array;
    return Buffer.from(c.buffer, c.byteOffset, c.length);
  };
  if (stream('EncryptedPackage') || stream('EncryptionInfo'))
    throw new ExtractError('encrypted', 'password-protected Office document; not read');

  const people: string[] = [];
  const word = stream('WordDocument');
  const workbook = stream('Workbook');
  const ppt = stream('PowerPoint Document');
  if (word) {
    const doc = await readWordDocument(file, word, stream);
    for (const [field, text] of doc.fields) ctx.text(text, { field });
    for (const a of doc.commentAuthors) people.push(`comment author: ${a}`);
  } else if (workbook) {
    const book = readWorkbook(workbook);
    for (const sheet of book.sheets)
      if (sheet.text.trim()) ctx.text(sheet.text, { field: `sheet ${sheet.name}` });
    emit(ctx, book.sheets.map((s) => s.name).join('\n'), 'sheet names', true);
    emit(ctx, book.comments.join('\n'), 'comments');
    emit(ctx, book.headersFooters.join('\n'), 'headers and footers');
    for (const a of new Set(book.commentAuthors)) people.push(`comment author: ${a}`);
  } else if (ppt) {
    if (stream('EncryptedSummary'))
      throw new ExtractError('encrypted', 'password-protected PowerPoint presentation; not read');
    const show = readPresentation(ppt);
    for (const [field, texts] of show.fields) emit(ctx, texts.join('\n'), field);
    for (const a of new Set(show.commentAuthors)) people.push(`comment author: ${a}`);
  } else if (stream('Book')) {
    throw new ExtractError('unsupported', 'Excel 5.0/95 workbook (BIFF5); not read');
  } else if (LEGACY_OFFICE_EXTENSIONS.some((e) => extensionOf(input.name).endsWith(e))) {
    // Its name says Word, Excel or PowerPoint, but the directory lists none of their streams.
    throw new ExtractError(
      'corrupt',
      'no Word, Excel or PowerPoint stream in this OLE compound file (damaged?); not read',
    );
  } else {
    throw new ExtractError(
      'unsupported',
      'an OLE compound file without Word, Excel or PowerPoint content; not read',
    );
  }
  const summary = stream('\u0005SummaryInformation');
  const documentSummary = stream('\u0005DocumentSummaryInformation');
  const lines = [
    ...people,
    ...(summary ? propertySetLines(summary, 'summary') : []),
    ...(documentSummary ? propertySetLines(documentSummary, 'document') : []),
  ];
  emit(ctx, [...new Set(lines)].join('\n'), 'properties', true);
  // Embedded objects (a workbook pasted into a Word file) are read as members, as OOXML embeddings are.
  const objects = embeddedObjects(container);
  if (objects.length > ctx.limits.maxMembers)
    ctx.error('limit', `more than ${ctx.limits.maxMembers} embedded objects; the rest not read`);
  for (const o of objects.slice(0, ctx.limits.maxMembers))
    await ctx.child({
      ref: memberRef(input.ref, o.storage),
      name: o.name,
      source: { kind: 'buffer', data: o.data },
    });
}

function emit(ctx: ExtractContext, text: string, field: string, structured = false): void {
  if (text.trim()) ctx.text(text, { field, structured });
}
