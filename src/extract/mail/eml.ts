import type { Extractor } from '../api.js';
import { extractMessage, markMessageFile, unwrapMboxMessage } from './message.js';
import { looksLikeMessage } from './mime.js';

/**
 * A single RFC 822 message: `.eml` files, extensionless files that begin with mail headers, and
 * attachments of type message/rfc822 (attached and forwarded messages).
 */
const eml: Extractor = {
  id: 'eml',
  description:
    'E-mail message (.eml, RFC 822/MIME): address headers with display names, subject, text and HTML bodies; attachments and attached messages as child items',
  extensions: ['.eml'],
  sniff(head, input) {
    return input.contentType === 'message/rfc822' || looksLikeMessage(head);
  },
  async extract(input, ctx) {
    const raw = await ctx.readAll();
    await markMessageFile(input, raw, 'eml');
    await extractMessage(unwrapMboxMessage(raw), input, ctx);
  },
};

export default eml;
