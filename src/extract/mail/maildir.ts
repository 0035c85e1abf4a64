import type { Extractor } from '../api.js';
import { maildirFormat } from '../formats.js';
import { extractMessage, markMessageFile } from './message.js';

const maildir: Extractor = {
  ...maildirFormat,
  async extract(input, ctx) {
    const raw = await ctx.readAll();
    await markMessageFile(input, raw, 'maildir');
    await extractMessage(raw, input, ctx);
  },
};

export default maildir;
