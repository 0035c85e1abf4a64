import iconv from 'iconv-lite';
import { ExtractError } from '../../core/errors.js';

/** What a TNEF stream (winmail.dat, MS-OXTNEF) carries that dsr searches. */
export interface Tnef {
  subject?: string;
  /** Plain-text body (attBody or PR_BODY). */
  body?: string;
  html?: string;
  /** PR_RTF_COMPRESSED, still compressed. */
  compressedRtf?: Buffer;
  sender: { name?: string; address?: string }[];
  recipients: { name?: string; address?: string }[];
  attachments: TnefAttachment[];
}

export interface TnefAttachment {
  name?: string;
  data?: Buffer;
  /** An attached message: its data is itself a TNEF stream. */
  message?: boolean;
}

export const TNEF_SIGNATURE = 0x223e9f78;

const LVL_ATTACHMENT = 2;
// Attribute ids (the low 16 bits of attribute ID; the high bits are its type).
const ATT_SUBJECT = 0x8004;
const ATT_BODY = 0x800c;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_REND_DATA = 0x9002;
const ATT_MSG_PROPS = 0x9003;
const ATT_RECIP_TABLE = 0x9004;
const ATT_ATTACHMENT = 0x9005;

// MAPI property ids.
const PR_SUBJECT = 0x0037;
const PR_SENT_REPRESENTING_NAME = 0x0042;
const PR_SENT_REPRESENTING_EMAIL = 0x0065;
const PR_SENDER_NAME = 0x0c1a;
const PR_SENDER_EMAIL = 0x0c1f;
const PR_BODY = 0x1000;
const PR_RTF_COMPRESSED = 0x1009;
const PR_BODY_HTML = 0x1013;
const PR_DISPLAY_NAME = 0x3001;
const PR_EMAIL_ADDRESS = 0x3003;
const PR_SMTP_ADDRESS = 0x39fe;
const PR_ATTACH_DATA = 0x3701;
const PR_ATTACH_FILENAME = 0x3704;
const PR_ATTACH_LONG_FILENAME = 0x3707;

const PT_OBJECT = 0x000d;
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
const MV_FLAG = 0x1000;
const FIXED_SIZE: Record<number, number> = {
  2: 4, // PT_I2, padded
  3: 4,
  4: 4,
  5: 8,
  6: 8,
  7: 8,
  10: 4,
  11: 4, // PT_BOOLEAN, padded
  20: 8,
  64: 8,
  72: 16,
};
/** Values in one property list at most: a damaged count must not become a long loop. */
const MAX_VALUES = 100_000;

type Value = string | Buffer;

/**
 * Parses a TNEF stream: message subject, sender, recipients and bodies (plain, HTML, compressed RTF),
 * and each attachment's name and bytes. Throws ExtractError `corrupt` when the stream is not TNEF or
 * is cut short before its first attribute; damage later ends the reading with what was found so far,
 * reported through `damaged`.
 */
export function readTnef(data: Buffer, damaged: (message: string) => void): Tnef {
  if (data.length < 6 || data.readUInt32LE(0) !== TNEF_SIGNATURE)
    throw new ExtractError('corrupt', 'not a TNEF stream (winmail.dat): the signature is missing');
  const out: Tnef = { sender: [], recipients: [], attachments: [] };
  let attachment: TnefAttachment | undefined;
  let p = 6;
  while (p < data.length) {
    if (p + 9 > data.length) {
      damaged(`TNEF stream cut short at byte ${p}`);
      break;
    }
    const level = data[p];
    const id = data.readUInt32LE(p + 1) & 0xffff;
    const length = data.readUInt32LE(p + 5);
    const start = p + 9;
    if (length > data.length - start) {
      damaged(`TNEF attribute 0x${id.toString(16)} runs past the end of the stream`);
      break;
    }
    const value = data.subarray(start, start + length);
    p = start + length + 2; // data, then a 16-bit checksum
    if (level === LVL_ATTACHMENT) {
      if (id === ATT_ATTACH_REND_DATA || !attachment) {
        attachment = {};
        out.attachments.push(attachment);
      }
      if (id === ATT_ATTACH_TITLE) attachment.name ??= cString(ansi(value));
      else if (id === ATT_ATTACH_DATA) attachment.data ??= value;
      else if (id === ATT_ATTACHMENT) attachmentProps(properties(value, damaged), attachment);
      continue;
    }
    if (id === ATT_SUBJECT) out.subject ??= cString(ansi(value));
    else if (id === ATT_BODY) out.body ??= cString(ansi(value));
    else if (id === ATT_MSG_PROPS) messageProps(properties(value, damaged), out);
    else if (id === ATT_RECIP_TABLE) recipients(value, out, damaged);
  }
  return out;
}

function messageProps(props: Map<number, Value>, out: Tnef): void {
  const text = (id: number) => {
    const v = props.get(id);
    return typeof v === 'string' ? v : undefined;
  };
  const subject = text(PR_SUBJECT);
  if (subject) out.subject = subject;
  const body = text(PR_BODY);
  if (body) out.body = body;
  const html = props.get(PR_BODY_HTML);
  if (html) out.html = typeof html === 'string' ? html : html.toString('utf8');
  const rtf = props.get(PR_RTF_COMPRESSED);
  if (Buffer.isBuffer(rtf)) out.compressedRtf = rtf;
  out.sender.push({ name: text(PR_SENDER_NAME), address: text(PR_SENDER_EMAIL) });
  const onBehalf = { name: text(PR_SENT_REPRESENTING_NAME), address: text(PR_SENT_REPRESENTING_EMAIL) };
  if (onBehalf.name || onBehalf.address) out.sender.push(onBehalf);
}

function attachmentProps(props: Map<number, Value>, attachment: TnefAttachment): void {
  const name =
    props.get(PR_ATTACH_LONG_FILENAME) ?? props.get(PR_ATTACH_FILENAME) ?? props.get(PR_DISPLAY_NAME);
  if (typeof name === 'string' && name) attachment.name = name;
  const data = props.get(PR_ATTACH_DATA);
  if (Buffer.isBuffer(data) && !attachment.data) {
    // PT_OBJECT: a 16-byte interface id, then the object; an attached message is a TNEF stream.
    const object = data.subarray(16);
    if (object.length >= 4 && object.readUInt32LE(0) === TNEF_SIGNATURE) {
      attachment.data = object;
      attachment.message = true;
    } else attachment.data = data;
  }
}

function recipients(value: Buffer, out: Tnef, damaged: (message: string) => void): void {
  if (value.length < 4) return;
  const rows = Math.min(value.readUInt32LE(0), MAX_VALUES);
  let p = 4;
  for (let i = 0; i < rows && p < value.length; i++) {
    const { props, end } = propertyList(value, p, damaged);
    p = end;
    const get = (id: number) => {
      const v = props.get(id);
      return typeof v === 'string' ? v : undefined;
    };
    out.recipients.push({
      name: get(PR_DISPLAY_NAME),
      address: get(PR_SMTP_ADDRESS) ?? get(PR_EMAIL_ADDRESS),
    });
  }
}

function properties(value: Buffer, damaged: (message: string) => void): Map<number, Value> {
  return propertyList(value, 0, damaged).props;
}

/**
 * A MAPI property list (MS-OXTNEF 2.1.3.4): string, binary and object values by property id (the
 * first value of a multi-valued one); fixed-size values skipped. Stops at damage.
 */
function propertyList(
  b: Buffer,
  start: number,
  damaged: (message: string) => void,
): { props: Map<number, Value>; end: number } {
  const props = new Map<number, Value>();
  let p = start;
  const need = (n: number) => {
    if (p + n > b.length) throw new RangeError('property list cut short');
  };
  try {
    need(4);
    const count = Math.min(b.readUInt32LE(p), MAX_VALUES);
    p += 4;
    for (let i = 0; i < count; i++) {
      need(4);
      const type = b.readUInt16LE(p);
      const id = b.readUInt16LE(p + 2);
      p += 4;
      if (id >= 0x8000) {
        // A named property: its GUID, then an id or a name.
        need(20);
        const kind = b.readUInt32LE(p + 16);
        p += 20;
        if (kind === 0) p += 4;
        else {
          need(4);
          const length = b.readUInt32LE(p);
          p += 4 + pad4(length);
        }
      }
      const base = type & ~MV_FLAG;
      const variable = base === PT_STRING8 || base === PT_UNICODE || base === PT_BINARY || base === PT_OBJECT;
      let values = 1;
      if (type & MV_FLAG || variable) {
        need(4);
        values = Math.min(b.readUInt32LE(p), MAX_VALUES);
        p += 4;
      }
      for (let v = 0; v < values; v++) {
        if (!variable) {
          const size = FIXED_SIZE[base];
          if (size === undefined) throw new RangeError(`unknown property type 0x${base.toString(16)}`);
          need(size);
          p += size;
          continue;
        }
        need(4);
        const length = b.readUInt32LE(p);
        p += 4;
        need(length);
        const bytes = b.subarray(p, p + length);
        p += pad4(length);
        if (v > 0 || props.has(id)) continue;
        if (base === PT_UNICODE) props.set(id, cString(bytes.toString('utf16le')));
        else if (base === PT_STRING8) props.set(id, cString(ansi(bytes)));
        else props.set(id, Buffer.from(bytes));
      }
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    damaged(`a TNEF property list is damaged (${e.message}); read as far as it goes`);
    p = b.length;
  }
  return { props, end: p };
}

/** 8-bit strings are in the sender's code page, which TNEF rarely states: Windows-1252, as Outlook in Western Europe. */
function ansi(bytes: Buffer): string {
  return iconv.decode(bytes, 'windows-1252');
}

function pad4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}

function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}
