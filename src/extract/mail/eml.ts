import type { Extractor } from '../api.js';
import { emlFormat } from '../formats.js';
import { cleanMessageItems, extractMessage, markMessageFile, unwrapMboxMessage } from './message.js';

/**
 * A single RFC 822 message: `.eml` files, extensionless files that begin with mail headers, and
 * attachments of type message/rfc822 (attached and forwarded messages).
 */
const eml: Extractor = {
  ...emlFormat,
  async extract(input, ctx) {
    const raw = await ctx.readAll();
    const message = unwrapMboxMessage(raw);
    // A subject scan passes over a message that cannot hold the subject (it is counted, not read).
    const clean = ctx.rawClean;
    const items =
      clean &&
      cleanMessageItems(message, input.depth, { clean, textClean: ctx.textClean, limits: ctx.limits });
    if (items) {
      ctx.passedOver?.(items - 1);
      return;
    }
    await markMessageFile(input, raw, 'eml');
    await extractMessage(message, input, ctx);
  },
};

export default eml;
