import type { Extractor } from '../api.js';
import { readHead, readPieces } from '../read.js';
import { decodeStream, detectEncoding } from './decode.js';

/** Plain text of any size, streamed: encoding detected from the first 64 KiB, NFC-normalised. */
const text: Extractor = {
  id: 'text',
  description:
    'Plain text (txt, csv, tsv, md, log, xml, yaml, ini, vcf, ics, sql, and text files without a known extension)',
  extensions: [
    '.txt',
    '.csv',
    '.tsv',
    '.md',
    '.markdown',
    '.log',
    '.xml',
    '.yaml',
    '.yml',
    '.ini',
    '.cfg',
    '.conf',
    '.vcf',
    '.ics',
    '.sql',
    '.rtf',
    '.tex',
    '.text',
  ],
  async extract(input, ctx) {
    const head = await readHead(input);
    const guess = detectEncoding(head);
    if (guess === 'binary') {
      ctx.skip('binary');
      return;
    }
    await ctx.textStream(decodeStream(readPieces(input), guess.encoding, guess.bom));
  },
};

export default text;
