import type { ExtractContext, Extractor } from '../api.js';
import { tnefFormat } from '../formats.js';
import { htmlToText } from '../html/html.js';
import { rtfToText } from '../text/rtf.js';
import { decompressRtf } from './compressed-rtf.js';
import { searchAddresses } from './headers.js';
import { readTnef } from './tnef-reader.js';

/**
 * Outlook's TNEF attachment (winmail.dat, application/ms-tnef): the message it wraps is searched as
 * a message is (subject, sender, recipients, plain, HTML and RTF bodies), and its attachments go back
 * through the extractors as attachments of a mail do.
 */
const tnef: Extractor = {
  ...tnefFormat,
  async extract(input, ctx) {
    const data = await ctx.readAll();
    const t = readTnef(data, (message) => ctx.error('corrupt', message));
    searchAddresses(ctx, 'header:From', t.sender);
    searchAddresses(ctx, 'header:To', t.recipients);
    if (t.subject) ctx.text(t.subject, { field: 'header:Subject' });
    if (t.body) ctx.text(t.body, { field: 'body' });
    if (t.html) html(ctx, t.html);
    if (t.compressedRtf) {
      const rtf = decompressRtf(t.compressedRtf, ctx.limits.maxExtractBytes);
      if (rtf === undefined)
        ctx.error('corrupt', 'the RTF body is neither compressed (LZFu) nor stored; not read');
      else {
        // Outlook wraps an HTML body in RTF (\fromhtml); the text is the same either way.
        const text = rtfToText(rtf);
        if (text.trim() && text.trim() !== t.body?.trim()) ctx.text(text, { field: 'rtf' });
      }
    }
    const names = new Map<string, number>();
    let index = 0;
    for (const att of t.attachments) {
      index++;
      if (index > ctx.limits.maxMembers) {
        ctx.error('limit', `more than ${ctx.limits.maxMembers} attachments; the rest not read`);
        break;
      }
      if (!att.data) continue;
      const name = (att.name || `attachment-${index}${att.message ? '.dat' : '.bin'}`)
        .split(/[\\/]/)
        .pop() as string;
      const n = (names.get(name) ?? 0) + 1;
      names.set(name, n);
      await ctx.child({
        ref: {
          path: input.ref.path,
          itemPath: [...input.ref.itemPath, `attachment ${n === 1 ? name : `${name} #${n}`}`],
        },
        name,
        source: { kind: 'buffer', data: att.data },
        ...(att.message ? { contentType: 'application/ms-tnef' } : {}),
      });
    }
  },
};

function html(ctx: ExtractContext, source: string): void {
  const { body, attributes } = htmlToText(source);
  ctx.text(body, { field: 'html' });
  if (attributes.trim()) ctx.text(attributes, { field: 'html attributes', structured: true });
}

export default tnef;
