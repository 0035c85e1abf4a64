import type { Extractor } from '../api.js';
import { maildirFormat } from '../formats.js';
import { cleanMessageItems, extractMessage, markMessageFile } from './message.js';

const maildir: Extractor = {
  ...maildirFormat,
  async extract(input, ctx) {
    const raw = await ctx.readAll();
    // A subject scan passes over a message that cannot hold the subject (it is counted, not read).
    const clean = ctx.rawClean;
    const items =
      clean && cleanMessageItems(raw, input.depth, { clean, textClean: ctx.textClean, limits: ctx.limits });
    if (items) {
      ctx.passedOver?.(items - 1);
      return;
    }
    await markMessageFile(input, raw, 'maildir');
    await extractMessage(raw, input, ctx);
  },
};

export default maildir;
