import WordExtractor from 'word-extractor';
import { ExtractError } from '../../../core/errors.js';

/** The text of a Word 97-2003 document, by the field it is reported in. */
export interface WordText {
  fields: [field: string, text: string][];
  commentAuthors: string[];
}

const WORD_MAGIC = 0xa5ec;
/** nFib of Word 97 and later; Word 6 and 95 files have lower numbers and another layout. */
const WORD_97 = 0xc0;
const F_WHICH_TABLE = 0x0200;
const F_ENCRYPTED = 0x0100;
/** FibBase (32) + csw, fibRgW (28) + cslw, fibRgLw (88) + cbRgFcLcb: where FibRgFcLcb97 starts. */
const FC_LCB = 154;
/** Index of fcGrpXstAtnOwners (the comment authors) in FibRgFcLcb97. */
const ATN_OWNERS = 36;

/**
 * Reads a `.doc` through word-extractor: body, text boxes, headers, footers, footnotes, endnotes and
 * comments, each its own field; the comment authors from the table stream. `encrypted` for a
 * password-protected document, `unsupported` for Word 6/95, `corrupt` when the reader gives up.
 */
export async function readWordDocument(
  file: Buffer,
  wordStream: Buffer,
  table: (name: string) => Buffer | undefined,
): Promise<WordText> {
  if (wordStream.length < 12 || wordStream.readUInt16LE(0) !== WORD_MAGIC)
    throw new ExtractError('corrupt', 'the WordDocument stream does not start as a Word document does');
  const nFib = wordStream.readUInt16LE(2);
  const flags = wordStream.readUInt16LE(10);
  if (flags & F_ENCRYPTED) throw new ExtractError('encrypted', 'password-protected Word document; not read');
  if (nFib < WORD_97)
    throw new ExtractError(
      'unsupported',
      `Word document in a format older than Word 97 (nFib ${nFib}); not read`,
    );
  let doc: Awaited<ReturnType<WordExtractor['extract']>>;
  try {
    doc = await new WordExtractor().extract(file);
  } catch (e) {
    throw new ExtractError('corrupt', `Word document could not be read (damaged?): ${(e as Error).message}`, {
      cause: e,
    });
  }
  const raw = { filterUnicode: false };
  const fields: [string, string][] = [
    ['body', doc.getBody(raw)],
    ['text boxes', doc.getTextboxes(raw)],
    ['headers', doc.getHeaders({ ...raw, includeFooters: false })],
    ['footers', doc.getFooters(raw)],
    ['footnotes', doc.getFootnotes(raw)],
    ['endnotes', doc.getEndnotes(raw)],
    ['comments', doc.getAnnotations(raw)],
  ];
  const tableStream = table(flags & F_WHICH_TABLE ? '1Table' : '0Table');
  return {
    fields: fields
      .map(
        ([f, t]) =>
          [
            f,
            t
              .replace(/\r\n?/g, '\n')
              .replace(/\n{3,}/g, '\n\n')
              .trim(),
          ] as [string, string],
      )
      .filter(([, t]) => t),
    commentAuthors: tableStream ? commentAuthors(wordStream, tableStream) : [],
  };
}

/** GrpXstAtnOwners: the names of the people who wrote comments, each a count and UTF-16 characters. */
function commentAuthors(word: Buffer, table: Buffer): string[] {
  const at = FC_LCB + ATN_OWNERS * 8;
  if (at + 8 > word.length) return [];
  const fc = word.readUInt32LE(at);
  const lcb = word.readUInt32LE(at + 4);
  const end = Math.min(table.length, fc + lcb);
  const names: string[] = [];
  for (let p = fc; p + 2 <= end; ) {
    const count = table.readUInt16LE(p);
    const name = table.toString('utf16le', p + 2, Math.min(end, p + 2 + count * 2)).trim();
    if (name) names.push(name);
    p += 2 + count * 2;
  }
  return names;
}
