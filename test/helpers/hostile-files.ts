import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

/**
 * Small hostile files built in the tests (fake people only). Each builder makes the smallest file that
 * shows the attack; the sizes the attack inflates to are named where they are built.
 */

/** A one-page PDF whose content stream is `content`, Flate-compressed, with a proper xref table. */
export function pdfWithContent(content: Buffer | Buffer[], extraObjects: string[] = []): Buffer {
  const streams = Array.isArray(content) ? content : [content];
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let size = 0;
  const add = (b: Buffer | string) => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    parts.push(buf);
    size += buf.length;
  };
  const obj = (n: number, body: Buffer | string, stream?: Buffer) => {
    offsets[n] = size;
    add(`${n} 0 obj\n`);
    add(body);
    if (stream) {
      add('\nstream\n');
      add(stream);
      add('\nendstream');
    }
    add('\nendobj\n');
  };
  add('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  const first = 5;
  const refs = streams.map((_, i) => `${first + i} 0 R`).join(' ');
  obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
  obj(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  obj(
    3,
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [${refs}] /Resources << /Font << /F1 4 0 R >> >> >>`,
  );
  obj(4, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  streams.forEach((s, i) => {
    const z = deflateSync(s, { level: 9 });
    obj(first + i, `<< /Length ${z.length} /Filter /FlateDecode >>`, z);
  });
  let n = first + streams.length;
  for (const extra of extraObjects) obj(n++, extra);
  const xref = size;
  add(`xref\n0 ${n}\n0000000000 65535 f \n`);
  for (let i = 1; i < n; i++) add(`${String(offsets[i]).padStart(10, '0')} 00000 n \n`);
  add(`trailer\n<< /Size ${n} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}

/** A page's text-showing operators for `text`. */
export function showText(text: string): Buffer {
  return Buffer.from(`BT /F1 12 Tf 72 720 Td (${text}) Tj ET\n`, 'latin1');
}

/** `n` bytes of one character: deflate compresses them ~1,000:1. */
export function filler(n: number, char = ' '): Buffer {
  return Buffer.alloc(n, char);
}

const XMP_SIG = 'http://ns.adobe.com/xap/1.0/\0';
const XMP_EXT_SIG = 'http://ns.adobe.com/xmp/extension/\0';
const NS = [
  `xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'`,
  `xmlns:Iptc4xmpExt='http://iptc.org/std/Iptc4xmpExt/2008-02-29/'`,
  `xmlns:dc='http://purl.org/dc/elements/1.1/'`,
  `xmlns:xmpNote='http://ns.adobe.com/xmp/note/'`,
].join(' ');

function segment(marker: number, body: Buffer): Buffer {
  if (body.length + 2 > 0xffff) throw new Error('JPEG segment too long');
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

/** A JPEG of the given metadata segments and an empty scan (exiftool reads to the SOS). */
function jpeg(segments: Buffer[]): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    ...segments,
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0, 0, 0xff, 0xd9]),
  ]);
}

/** An XMP packet naming `person` in Iptc4xmpExt:PersonInImage, with `more` inside its description. */
function xmpPacket(person: string, more = '', attrs = ''): string {
  return (
    `<?xpacket begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'?><x:xmpmeta xmlns:x='adobe:ns:meta/'>` +
    `<rdf:RDF ${NS}><rdf:Description rdf:about='' ${attrs}>` +
    `<Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>${person}</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage>` +
    `${more}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end='w'?>`
  );
}

/**
 * A photo tagged with `person` whose extended XMP (APP1 `http://ns.adobe.com/xmp/extension/`
 * segments, reassembled by exiftool) holds `bytes` of keywords: exiftool spends tens of seconds on it.
 */
export function jpegWithHugeExtendedXmp(person: string, bytes: number): Buffer {
  const li = '<rdf:li>Keyword 12345</rdf:li>';
  const ext = Buffer.from(
    `<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF ${NS}><rdf:Description rdf:about=''><dc:subject><rdf:Bag>${li.repeat(
      Math.ceil(bytes / li.length),
    )}</rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>`,
  );
  const guid = createHash('md5').update(ext).digest('hex').toUpperCase();
  const segments = [
    segment(0xe1, Buffer.from(XMP_SIG + xmpPacket(person, '', `xmpNote:HasExtendedXMP='${guid}'`))),
  ];
  const piece = 65_000;
  for (let at = 0; at < ext.length; at += piece) {
    const where = Buffer.alloc(8);
    where.writeUInt32BE(ext.length, 0);
    where.writeUInt32BE(at, 4);
    segments.push(
      segment(
        0xe1,
        Buffer.concat([Buffer.from(XMP_EXT_SIG + guid, 'latin1'), where, ext.subarray(at, at + piece)]),
      ),
    );
  }
  return jpeg(segments);
}

/** A photo tagged with `person` whose XMP packet (~56 KB) nests `depth` elements: exiftool's recursive parser stalls. */
export function jpegWithDeepXmp(person: string, depth: number): Buffer {
  const deep = `<dc:description>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</dc:description>`;
  return jpeg([segment(0xe1, Buffer.from(XMP_SIG + xmpPacket(person, deep)))]);
}

/** A PNG chunk (length, type, data, CRC). */
function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A 1x1 PNG with an Author text (which sends it to exiftool) and a `zTXt` comment inflating to `bytes`. */
export function pngWithTextBomb(author: string, bytes: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('tEXt', Buffer.from(`Author\0${author}`, 'latin1')),
    pngChunk(
      'zTXt',
      Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), deflateSync(filler(bytes), { level: 9 })]),
    ),
    pngChunk('IDAT', deflateSync(Buffer.from([0, 0]))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * PDF LZW data (MSB first, 9 to 12 bits, EarlyChange 1) of `text` then `run` bytes of `byte`: the text
 * as one code a byte, the run as LZW makes it of one repeated byte (each code one byte longer than
 * the last, the table restarted when full), so a few KB stand for many MB. Written out directly:
 * encoding the run byte by byte would take seconds.
 */
export function lzwTextThenRun(text: Buffer, byte: number, run: number): Buffer {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  let k = 0;
  const put = (code: number) => {
    const width = Math.min(12, (258 + Math.max(0, k - 1) + 1).toString(2).length);
    acc = (acc << width) | code;
    bits += width;
    while (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 255);
    }
    acc &= (1 << bits) - 1;
    k++;
  };
  const clear = () => {
    put(256);
    k = 0;
  };
  clear();
  for (const b of text) put(b);
  let left = run;
  while (left > 0) {
    clear();
    put(byte);
    left--;
    for (let code = 258, len = 2; left >= len && code < 4000; code++, len++) {
      put(code);
      left -= len;
    }
  }
  put(257);
  if (bits) out.push((acc << (8 - bits)) & 255);
  return Buffer.from(out);
}

/** A one-page PDF whose content stream is `data` under the given `/Filter`. */
export function pdfWithEncodedContent(data: Buffer, filter: string): Buffer {
  const pdf = pdfWithContent(Buffer.from('x'));
  // Swap the one content stream for this one (offsets in the xref go stale: pdf.js recovers).
  const text = pdf.toString('latin1');
  const at = text.indexOf('5 0 obj');
  const end = text.indexOf('endobj', at) + 6;
  return Buffer.concat([
    pdf.subarray(0, at),
    Buffer.from(`5 0 obj\n<< /Length ${data.length} /Filter ${filter} >>\nstream\n`, 'latin1'),
    data,
    Buffer.from('\nendstream\nendobj', 'latin1'),
    pdf.subarray(end),
  ]);
}
