import type { Extractor } from '../api.js';
import { emlFormat } from '../formats.js';
import { extractMessage, markMessageFile, unwrapMboxMessage } from './message.js';

/**
 * A single RFC 822 message: `.eml` files, extensionless files that begin with mail headers, and
 * attachments of type message/rfc822 (attached and forwarded messages).
 */
const eml: Extractor = {
  ...emlFormat,
  async extract(input, ctx) {
    const raw = await ctx.readAll();
    await markMessageFile(input, raw, 'eml');
    await extractMessage(unwrapMboxMessage(raw), input, ctx);
  },
};

export default eml;
