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

/**
 * Visible text of an HTML document: inline tags vanish without a trace (so `Sø<b>ren</b>` reads
 * `Søren`), block tags become line breaks, entities are decoded, style blocks dropped. Attribute values
 * that carry data (href incl. mailto:, title, alt, value, content) are returned separately.
 */
export function htmlToText(html: string): HtmlText {
  const attributes: string[] = [];
  const withoutStyle = html.replace(/<style\b[^>]*>[\s\S]*?<\/style\s*>/gi, '\n');
  const body = withoutStyle.replace(
    /<!--([\s\S]*?)-->|<\/?([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<![^>]*>/g,
    (_m, comment, tag, rest) => {
      if (comment !== undefined) return `\n${comment}\n`;
      if (tag === undefined) return '\n';
      if (rest) {
        for (const a of (rest as string).matchAll(ATTRS)) {
          const v = a[3] ?? a[4] ?? a[5] ?? '';
          if (v.trim()) attributes.push(decodeHTML(v));
        }
      }
      return BLOCK.has((tag as string).toLowerCase()) ? '\n' : '';
    },
  );
  return { body: decodeHTML(body).replace(INVISIBLE, ''), attributes: attributes.join('\n') };
}

const html: Extractor = {
  ...htmlFormat,
  async extract(_input, ctx) {
    const decoded = decodeBuffer(await ctx.readAll());
    if (!decoded) {
      ctx.skip('binary');
      return;
    }
    const { body, attributes } = htmlToText(decoded.text);
    ctx.text(body, { field: 'body' });
    if (attributes) ctx.text(attributes, { field: 'html:attributes', structured: true });
  },
};

export default html;
