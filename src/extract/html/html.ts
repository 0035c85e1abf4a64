import { Parser } from 'htmlparser2';
import type { ItemInput } from '../../core/types.js';
import type { Extractor } from '../api.js';
import { htmlFormat } from '../formats.js';
import { readHead, readTransientPieces } from '../read.js';
import { decodeStream, detectEncoding, type EncodingGuess } from '../text/decode.js';

const BLOCK = new Set(
  'address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul title option caption body html head meta'.split(
    ' ',
  ),
);
/** Attributes whose values carry data (mailto: links, names in titles and alt texts, form values). */
const DATA_ATTRIBUTE = /^(?:href|title|alt|value|content|placeholder|aria-label|data-[\w-]+)$/;

/** Soft hyphens and zero-width characters that hide inside words (`Øster&shy;gård`). */
const INVISIBLE = /[\u00ad\u200b-\u200d\u2060\ufeff]/g;

export interface HtmlText {
  body: string;
  attributes: string;
}

/**
 * Visible text of an HTML document, read by htmlparser2 as it streams in: inline tags vanish without
 * a trace (so `Sø<b>ren</b>` reads `Søren`), block tags become line breaks, comments are kept (they
 * may hold data too), entities are decoded, style blocks dropped. Attribute values that carry data
 * are handed to `onAttribute` as they are met.
 */
export class HtmlTextReader {
  private out = '';
  private inStyle = 0;
  private readonly parser: Parser;

  constructor(onAttribute?: (value: string) => void) {
    this.parser = new Parser({
      onopentagname: (name) => {
        if (name === 'style') this.inStyle++;
        if (BLOCK.has(name)) this.out += '\n';
      },
      onclosetag: (name) => {
        if (name === 'style' && this.inStyle) {
          this.inStyle--;
          this.out += '\n';
        }
        if (BLOCK.has(name)) this.out += '\n';
      },
      ontext: (text) => {
        if (!this.inStyle) this.out += text;
      },
      oncomment: (text) => {
        this.out += `\n${text}\n`;
      },
      onprocessinginstruction: () => {
        this.out += '\n';
      },
      onattribute: onAttribute
        ? (name, value) => {
            if (DATA_ATTRIBUTE.test(name) && value.trim()) onAttribute(value);
          }
        : undefined,
    });
  }

  /** Reads a piece of the document; returns the visible text it completed. */
  write(html: string): string {
    this.parser.write(html);
    return this.take();
  }

  end(): string {
    this.parser.end();
    return this.take();
  }

  private take(): string {
    const text = this.out;
    this.out = '';
    return text.replace(INVISIBLE, '');
  }
}

/** `HtmlTextReader` over a whole document in memory (an HTML mail body). */
export function htmlToText(html: string): HtmlText {
  const attributes: string[] = [];
  const reader = new HtmlTextReader((v) => attributes.push(v));
  const body = reader.write(html) + reader.end();
  return { body, attributes: attributes.join('\n') };
}

/** Characters of attribute values kept while the body streams; past it they are read in a second pass. */
const ATTRIBUTE_CHARS = 1 << 21;

const html: Extractor = {
  ...htmlFormat,
  async extract(input, ctx) {
    const guess = detectEncoding(await readHead(input));
    if (guess === 'binary') {
      ctx.skip('binary');
      return;
    }
    const documentText = (pieces: AsyncIterable<string>, field: string, structured: boolean) =>
      ctx.textStream(pieces, { field, structured, document: true });

    let attributes: string[] | undefined = [];
    let attributeChars = 0;
    const body = new HtmlTextReader((value) => {
      if (!attributes) return;
      attributeChars += value.length;
      if (attributeChars <= ATTRIBUTE_CHARS) attributes.push(value);
      else attributes = undefined;
    });
    await documentText(nonEmpty(readHtml(input, guess, body)), 'body', false);
    if (attributes) {
      if (attributes.length) ctx.text(attributes.join('\n'), { field: 'html:attributes', structured: true });
      return;
    }
    // Too many to hold: the document is read again for its attribute values alone.
    await documentText(attributeValues(input, guess), 'html:attributes', true);
  },
};

/** The visible text completed by each piece of the file read (often empty). */
async function* readHtml(
  input: ItemInput,
  guess: EncodingGuess,
  reader: HtmlTextReader,
): AsyncGenerator<string> {
  for await (const piece of decodeStream(readTransientPieces(input), guess.encoding, guess.bom))
    yield reader.write(piece);
  yield reader.end();
}

async function* nonEmpty(pieces: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const piece of pieces) if (piece) yield piece;
}

async function* attributeValues(input: ItemInput, guess: EncodingGuess): AsyncGenerator<string> {
  let values = '';
  const reader = new HtmlTextReader((value) => {
    values += values ? `\n${value}` : value;
  });
  let first = true;
  for await (const _ of readHtml(input, guess, reader)) {
    if (!values) continue;
    yield first ? values : `\n${values}`;
    first = false;
    values = '';
  }
  if (values) yield first ? values : `\n${values}`;
}

export default html;
