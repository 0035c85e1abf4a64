import type { FieldsData } from '@kenjiuno/msgreader';
import { ExtractError } from '../../core/errors.js';
import type { ItemInput } from '../../core/types.js';
import type { ExtractContext, Extractor } from '../api.js';
import { msgFormat } from '../formats.js';
import { htmlToText } from '../html/html.js';
import { type NamedAddress, searchAddresses } from './headers.js';
import { markMessageFile } from './message.js';

type MsgReaderClass = new (
  data: ArrayBuffer | DataView,
) => {
  getFileData(): FieldsData;
  getAttachment(a: FieldsData | number): { fileName: string; content: Uint8Array };
};

let readerClass: MsgReaderClass | undefined;
async function msgReader(): Promise<MsgReaderClass> {
  // CJS module: from Node's ESM the class is `default.default`; bundler-style interop (vitest) gives `default`.
  const mod = (await import('@kenjiuno/msgreader')) as unknown as {
    default: MsgReaderClass | { default: MsgReaderClass };
  };
  readerClass ??= typeof mod.default === 'function' ? mod.default : mod.default.default;
  return readerClass;
}

/**
 * Outlook .msg (a CFB compound file): sender, recipients with display names, subject, plain and HTML
 * body; attachments and embedded messages go back through the extractors.
 */
const msg: Extractor = {
  ...msgFormat,
  async extract(input, ctx) {
    const raw = await ctx.readAll();
    await markMessageFile(input, raw, 'msg');
    const Reader = await msgReader();
    const ab = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length) as ArrayBuffer;
    let reader: InstanceType<MsgReaderClass>;
    let data: FieldsData;
    try {
      reader = new Reader(ab);
      data = reader.getFileData();
    } catch (err) {
      throw new ExtractError('corrupt', `Outlook message could not be read: ${(err as Error).message}`);
    }
    if ((data as { error?: string }).error) {
      throw new ExtractError('corrupt', `not an Outlook message: ${(data as { error?: string }).error}`);
    }
    await searchMsgFields(data, input, ctx, (a) => reader.getAttachment(a));
  },
};

export default msg;

async function searchMsgFields(
  data: FieldsData,
  input: ItemInput,
  ctx: ExtractContext,
  getAttachment: (a: FieldsData) => { fileName: string; content: Uint8Array },
): Promise<void> {
  const sender: NamedAddress[] = [
    { name: data.senderName, address: data.senderSmtpAddress ?? data.senderEmail },
  ];
  if (
    data.senderSmtpAddress &&
    data.senderEmail &&
    data.senderEmail !== data.senderSmtpAddress &&
    data.senderEmail.includes('@')
  )
    sender.push({ address: data.senderEmail });
  searchAddresses(ctx, 'header:From', sender);
  for (const [type, field] of [
    ['to', 'header:To'],
    ['cc', 'header:Cc'],
    ['bcc', 'header:Bcc'],
  ] as const) {
    const list = (data.recipients ?? [])
      .filter((r) => (r.recipType ?? 'to') === type)
      .map((r) => ({
        name: r.name,
        address: r.smtpAddress ?? (r.email?.includes('@') ? r.email : undefined),
      }));
    searchAddresses(ctx, field, list);
  }
  if (data.subject) ctx.text(data.subject, { field: 'header:Subject' });
  if (data.body) ctx.text(data.body, { field: 'body' });
  const html = data.bodyHtml ?? (data.html ? Buffer.from(data.html).toString('utf8') : undefined);
  if (html) {
    const { body, attributes } = htmlToText(html);
    ctx.text(body, { field: 'html' });
    if (attributes.trim()) ctx.text(attributes, { field: 'html attributes', structured: true });
  }

  const names = new Map<string, number>();
  let embedded = 0;
  let index = 0;
  for (const att of data.attachments ?? []) {
    index++;
    if (index > ctx.limits.maxMembers) {
      ctx.error('limit', `more than ${ctx.limits.maxMembers} attachments; the rest not read`);
      break;
    }
    let content: Uint8Array;
    try {
      content = getAttachment(att).content;
    } catch (err) {
      ctx.error('corrupt', `attachment ${index} could not be read: ${(err as Error).message}`);
      continue;
    }
    if (att.innerMsgContent) {
      embedded++;
      const id = att.innerMsgContentFields?.messageId?.trim();
      await ctx.child({
        ref: {
          path: input.ref.path,
          itemPath: [...input.ref.itemPath, id ? `message ${id}` : `message #${embedded}`],
        },
        name: `${(att.name ?? 'message').replace(/[\\/]/g, '_')}.msg`,
        source: { kind: 'buffer', data: content },
        contentType: 'application/vnd.ms-outlook',
      });
      continue;
    }
    const name = (att.fileName ?? att.fileNameShort ?? `attachment-${index}.bin`)
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
      source: { kind: 'buffer', data: content },
    });
  }
}
