import { decodeHTML } from 'entities';
import type { Extractor } from '../api.js';
import { htmlFormat } from '../formats.js';
import { decodeBuffer } from '../text/decode.js';

const BLOCK = new Set(
  'address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul title option caption body html head meta'.split(
    ' ',
  ),
);
const ATTRS =
  /\s(href|title|alt|value|content|placeholder|aria-label|data-[\w-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi;

/** Soft hyphens and zero-width characters that hide inside words (`Øster&shy;gård`). */
const INVISIBLE = /[\u00ad\u200b-\u200d\u2060\ufeff]/g;

export interface HtmlText {
  body: string;
  attributes: string;
}

const STYLE = /<style\b[^>]*>[\s\S]*?<\/style\s*>/gi;
const MARKUP = /<!--([\s\S]*?)-->|<\/?([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<![^>]*>/g;
/** Characters of visible text gathered before a piece is handed on. */
const PIECE_CHARS = 1 << 16;

/**
 * Visible text of an HTML document: inline tags vanish without a trace (so `Sø<b>ren</b>` reads
 * `Søren`), block tags become line breaks, entities are decoded, style blocks dropped. Attribute values
 * that carry data (href incl. mailto:, title, alt, value, content) are returned separately.
 */
export function htmlToText(html: string): HtmlText {
  const attributes: string[] = [];
  const body = [...htmlTextPieces(html, attributes, PIECE_CHARS)].join('');
  return { body, attributes: attributes.join('\n') };
}

/**
 * `htmlToText`'s visible text piece by piece, so that a large document is never held as text twice
 * over: a piece is cut only before a line break, which no entity spans. Attribute values are added
 * to `attributes` as they are met.
 */
export function* htmlTextPieces(html: string, attributes: string[], pieceChars: number): Generator<string> {
  const withoutStyle = html.replace(STYLE, '\n');
  const markup = new RegExp(MARKUP.source, 'g');
  let out = '';
  let from = 0;
  for (let m = markup.exec(withoutStyle); m; m = markup.exec(withoutStyle)) {
    out += withoutStyle.slice(from, m.index) + replacement(m, attributes);
    from = markup.lastIndex;
    if (out.length >= pieceChars) {
      const cut = out.lastIndexOf('\n');
      if (cut > 0) {
        yield visible(out.slice(0, cut));
        out = out.slice(cut);
      }
    }
  }
  yield visible(out + withoutStyle.slice(from));
}

function replacement(m: RegExpExecArray, attributes: string[]): string {
  const [, comment, tag, rest] = m;
  if (comment !== undefined) return `\n${comment}\n`;
  if (tag === undefined) return '\n';
  if (rest) {
    for (const a of rest.matchAll(ATTRS)) {
      const v = a[3] ?? a[4] ?? a[5] ?? '';
      if (v.trim()) attributes.push(decodeHTML(v));
    }
  }
  return BLOCK.has(tag.toLowerCase()) ? '\n' : '';
}

function visible(text: string): string {
  return decodeHTML(text).replace(INVISIBLE, '');
}

const html: Extractor = {
  ...htmlFormat,
  async extract(_input, ctx) {
    const decoded = decodeBuffer(await ctx.readAll());
    if (!decoded) {
      ctx.skip('binary');
      return;
    }
    const attributes: string[] = [];
    const pieces = htmlTextPieces(decoded.text, attributes, PIECE_CHARS);
    await ctx.textStream(
      (async function* () {
        yield* pieces;
      })(),
      { field: 'body', document: true },
    );
    if (attributes.length) ctx.text(attributes.join('\n'), { field: 'html:attributes', structured: true });
  },
};

export default html;
