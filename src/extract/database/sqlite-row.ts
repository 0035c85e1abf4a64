import { ExtractError } from '../../core/errors.js';
import type { Extractor } from '../api.js';
import { sqliteRowFormat } from '../formats.js';
import { decodeRow, splitName } from './row.js';

/**
 * One row of a database table (see sqlite.ts): each column is searched as its own field, so that a
 * finding's `location.field` is the column and no match runs from one column into the next. A first
 * name and a surname in separate columns are searched together once more, as the name they form.
 */
const sqliteRow: Extractor = {
  ...sqliteRowFormat,
  async extract(_input, ctx) {
    const fields = decodeRow(await ctx.readAll());
    if (!fields) throw new ExtractError('corrupt', 'database row could not be decoded');
    for (const [column, text] of fields) ctx.text(text, { field: column, structured: true });
    const name = splitName(fields);
    if (name) ctx.text(name[1], { field: name[0], structured: true });
  },
};

export default sqliteRow;
