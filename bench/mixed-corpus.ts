/**
 * The mail of the `mixed` bench part: mbox files, a Maildir and `.eml` files as mail systems write
 * them (Received chains, DKIM signatures, RFC 2047 headers; quoted-printable and base64 bodies in
 * UTF-8, ISO-8859-1 and Windows-1252; HTML alternatives; PDF, DOCX and CSV attachments), full of fake
 * people, with ~1 % of the messages about the bench subject, many of them only in encoded form. Same
 * seed, same mail.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, Packer, Paragraph } from 'docx';
import iconv from 'iconv-lite';
import { encode as qpEncode, wrap as qpWrap } from 'libqp';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { makePeople, type Person, rngFrom, Writer } from './text-corpus.js';

export const MIXED_MAIL_VERSION = 2;

/** How a planted message holds the subject: the ways mail hides text from a byte search. */
export const PLANT_KINDS = [
  'plain', // in an 8-bit UTF-8 body, as its bytes
  'qp-soft-break', // a UTF-8 quoted-printable body, the name cut by a soft line break
  'qp-latin1', // an ISO-8859-1 quoted-printable body
  'base64-body', // a base64 text body
  'csv', // a row of a base64 CSV attachment
  'pdf', // a line of a PDF attachment
  'docx', // a paragraph of a DOCX attachment
  'header', // an RFC 2047 encoded display name and the address in From
  'html-qp', // only in the HTML alternative, quoted-printable
  'cp1252', // an 8-bit Windows-1252 body
] as const;
export type PlantKind = (typeof PLANT_KINDS)[number];

export interface MailManifest {
  version: number;
  bytes: number;
  files: number;
  messages: number;
  /** Planted messages: the mbox segment's Message-ID or the file's path below the root, with its kind. */
  planted: { where: string; kind: PlantKind }[];
}

const NAME = 'Søren Kjærgaard Østergård';
const CPR = '150387-1236';

type Body = { headers: string[]; body: string };

class MailWriter {
  private readonly w: Writer;
  private readonly people: Person[];
  private pdfs: Buffer[] = [];
  private docxs: Buffer[] = [];
  private subjectPdf: Buffer = Buffer.alloc(0);
  private subjectDocx: Buffer = Buffer.alloc(0);

  constructor(private readonly rng: () => number) {
    this.people = makePeople(rng, 1500);
    this.w = new Writer(rng, this.people);
  }

  async init(): Promise<void> {
    for (let i = 0; i < 16; i++) this.pdfs.push(await this.pdf(2 + (i % 4), false));
    for (let i = 0; i < 16; i++) this.docxs.push(await this.docx(30 + (i % 5) * 20, false));
    this.subjectPdf = await this.pdf(3, true);
    this.subjectDocx = await this.docx(40, true);
  }

  private async pdf(pages: number, subject: boolean): Promise<Buffer> {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    for (let p = 0; p < pages; p++) {
      const page = doc.addPage([595, 842]);
      for (let l = 0; l < 45; l++) {
        const text =
          subject && p === 1 && l === 12
            ? `Vedr. ${NAME}, CPR ${CPR}.`
            : this.w.sentence().replace(/[^\x20-\x7e\u00a0-\u00ff]/g, '');
        page.drawText(text.slice(0, 110), { x: 30, y: 800 - l * 17, size: 9, font });
      }
    }
    return Buffer.from(await doc.save());
  }

  private async docx(paragraphs: number, subject: boolean): Promise<Buffer> {
    const children = Array.from(
      { length: paragraphs },
      (_, i) => new Paragraph(subject && i === 15 ? `Vedr. ${NAME}, CPR ${CPR}.` : this.w.paragraph()),
    );
    return Buffer.from(await Packer.toBuffer(new Document({ sections: [{ children }] })));
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rng() * xs.length)];
  }

  private address(p: Person): string {
    return this.rng() < 0.3 ? encodedWord(p.name, p.email) : `${p.name} <${p.email}>`;
  }

  /** Prose of ~size characters with other people in it, now and then a quoted reply. */
  private prose(size: number, plant?: string): string {
    const out: string[] = [`Hej ${this.w.person().name.split(' ')[0]},`, ''];
    let len = 0;
    while (len < size) {
      const p =
        this.rng() < 0.15 ? this.w.paragraph().replace(/(.{1,72})(\s|$)/g, '> $1\n') : this.w.paragraph();
      out.push(p, '');
      len += p.length;
    }
    if (plant) out.splice(2 + 2 * Math.floor(this.rng() * ((out.length - 2) / 2)), 0, plant, '');
    out.push('Med venlig hilsen', this.w.person().name);
    return out.join('\n');
  }

  /** One message; `kind` plants the subject. */
  message(i: number, size: number, kind?: PlantKind): string {
    const from = kind === 'header' ? undefined : this.w.person();
    const to = this.w.person();
    const date = new Date(Date.UTC(2024, 0, 1) + i * 3_600_000 * 3.7);
    const id = `<m${i}${kind ? `.plant-${kind}` : ''}@bench.example>`;
    const headers = [
      ...Array.from(
        { length: 2 + (i % 4) },
        (_, h) =>
          `Received: from mx${h}.example.net (mx${h}.example.net [192.0.2.${(i + h) % 250}])\n\tby mail.example.dk (Postfix) with ESMTPS id ${(i * 7919 + h).toString(16).toUpperCase()}\n\tfor <${to.email}>; ${date.toUTCString()}`,
      ),
      `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=s1;\n\th=from:to:subject:date; bh=${Buffer.from(`body${i}`).toString('base64')};\n\tb=${Buffer.from(`${i}`.repeat(40)).toString('base64').slice(0, 64)}\n\t${Buffer.from(
        `${i * 3}`.repeat(40),
      )
        .toString('base64')
        .slice(0, 64)}`,
      `From: ${from ? this.address(from) : `${encodedWord(NAME)} <soren.ostergard@example.dk>`}`,
      `To: ${this.address(to)}`,
      ...(this.rng() < 0.3 ? [`Cc: ${this.address(this.w.person())}, ${this.address(this.w.person())}`] : []),
      `Subject: ${this.rng() < 0.3 ? encodedWord(`Vedr. møde om ${this.pick(['budget', 'levering', 'kontrakt'])} på Østerbro`) : `Sag ${1000 + i}: ${this.w.sentence().slice(0, 50)}`}`,
      `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: ${id}`,
      'MIME-Version: 1.0',
    ];
    const { headers: mime, body } = this.body(i, size, kind);
    // Header bytes are UTF-8 (8-bit headers, as many clients send them); the body is already bytes.
    return `${Buffer.from([...headers, ...mime].join('\n')).toString('latin1')}\n\n${body}`;
  }

  private body(i: number, size: number, kind?: PlantKind): Body {
    const plantLine = `Vedr. ${NAME}, CPR ${CPR}, tlf. 21 43 65 87.`;
    switch (kind) {
      case 'plain':
        return textPart(this.prose(size, plantLine), '8bit');
      case 'qp-soft-break':
        return qpSoftBreak(this.prose(size / 2), this.prose(size / 2));
      case 'qp-latin1':
        return textPart(this.prose(size, `Vedr. ${NAME}.`), 'quoted-printable', 'iso-8859-1');
      case 'base64-body':
        return textPart(this.prose(size, plantLine), 'base64');
      case 'cp1252':
        return textPart(this.prose(size, `Vedr. ${NAME} – sagen.`), '8bit', 'windows-1252');
      case 'html-qp':
        return alternative(this.prose(size), this.prose(size, `Vedr. ${NAME}.`));
      case 'csv':
        return mixed(
          textPart(this.prose(size / 2), '8bit'),
          `kunder-${i}.csv`,
          'text/csv',
          Buffer.from(
            this.w.csv(8000).replace('\n', `\n1;${NAME};soren.ostergard@example.dk;;${CPR};Aarhus;\n`),
          ),
        );
      case 'pdf':
        return mixed(
          textPart(this.prose(size / 2), '8bit'),
          `notat-${i}.pdf`,
          'application/pdf',
          this.subjectPdf,
        );
      case 'docx':
        return mixed(textPart(this.prose(size / 2), '8bit'), `referat-${i}.docx`, DOCX, this.subjectDocx);
      default:
    }
    // Most mail is text; about one message in ten has an attachment, a third of those a PDF or DOCX.
    const r = this.rng();
    if (r < 0.38) return textPart(this.prose(size), '8bit');
    if (r < 0.54) return textPart(this.prose(size), 'quoted-printable');
    if (r < 0.62)
      return textPart(this.prose(size), 'quoted-printable', this.pick(['iso-8859-1', 'windows-1252']));
    if (r < 0.8) return alternative(this.prose(size / 2), this.prose(size / 2));
    if (r < 0.9) return textPart(this.prose(size), 'base64');
    if (r < 0.96)
      return mixed(
        textPart(this.prose(size / 2), '8bit'),
        `liste-${i}.csv`,
        'text/csv',
        Buffer.from(this.w.csv(4000 + (i % 7) * 3000)),
      );
    if (r < 0.98)
      return mixed(
        textPart(this.prose(size / 2), 'quoted-printable'),
        `rapport-${i}.pdf`,
        'application/pdf',
        this.pick(this.pdfs),
      );
    return mixed(textPart(this.prose(size / 2), '8bit'), `dokument-${i}.docx`, DOCX, this.pick(this.docxs));
  }
}

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

function encodedWord(text: string, email?: string): string {
  const word = `=?UTF-8?Q?${qpEncode(Buffer.from(text)).replace(/ /g, '_').replace(/\?/g, '=3F')}?=`;
  return email ? `${word} <${email}>` : word;
}

function encodeText(text: string, charset: string): Buffer {
  return charset === 'utf-8' ? Buffer.from(text) : iconv.encode(text, charset);
}

function base64Lines(data: Buffer): string {
  return data.toString('base64').replace(/.{76}/g, '$&\n');
}

function textPart(
  text: string,
  cte: '8bit' | 'quoted-printable' | 'base64',
  charset = 'utf-8',
  type = 'text/plain',
): Body {
  const bytes = encodeText(text, charset);
  const body =
    cte === 'base64'
      ? base64Lines(bytes)
      : cte === 'quoted-printable'
        ? qpWrap(qpEncode(bytes), 76)
        : bytes.toString('latin1');
  return {
    headers: [`Content-Type: ${type}; charset=${charset}`, `Content-Transfer-Encoding: ${cte}`],
    body,
  };
}

/** A UTF-8 quoted-printable body with the subject's name cut by a soft line break. */
function qpSoftBreak(before: string, after: string): Body {
  const enc = (t: string) => qpWrap(qpEncode(Buffer.from(t)), 76);
  return {
    headers: ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'],
    body: `${enc(before)}\nVedr. S=C3=B8ren Kj=C3=A6r=\ngaard =C3=98sterg=C3=A5rd om m=C3=B8det.\n${enc(after)}`,
  };
}

function alternative(text: string, html: string): Body {
  const b = `alt-${text.length}`;
  const t = textPart(text, 'quoted-printable');
  const h = textPart(
    `<html><body>${html
      .split('\n\n')
      .map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`)
      .join('\n')}</body></html>`,
    'quoted-printable',
    'utf-8',
    'text/html',
  );
  return {
    headers: [`Content-Type: multipart/alternative; boundary="${b}"`],
    body: `--${b}\n${t.headers.join('\n')}\n\n${t.body}\n--${b}\n${h.headers.join('\n')}\n\n${h.body}\n--${b}--\n`,
  };
}

function mixed(text: Body, filename: string, type: string, data: Buffer): Body {
  const b = `mix-${filename}`;
  return {
    headers: [`Content-Type: multipart/mixed; boundary="${b}"`],
    body: `This is a multi-part message in MIME format.\n--${b}\n${text.headers.join('\n')}\n\n${text.body}\n--${b}\nContent-Type: ${type}; name="${filename}"\nContent-Disposition: attachment; filename="${filename}"\nContent-Transfer-Encoding: base64\n\n${base64Lines(data)}\n--${b}--\n`,
  };
}

/** Writes ~`bytes` of mail into `dir` (emptied first): half mbox files, a quarter Maildir, a quarter .eml. */
export async function generateMail(dir: string, bytes: number): Promise<MailManifest> {
  rmSync(dir, { recursive: true, force: true });
  const rng = rngFrom(20261208);
  const w = new MailWriter(rng);
  await w.init();
  const m: MailManifest = { version: MIXED_MAIL_VERSION, bytes: 0, files: 0, messages: 0, planted: [] };
  let plants = 0;
  let i = 0;
  /** The next message: one in a hundred is about the subject, the kinds in turn. */
  const next = (): { text: string; kind?: PlantKind } => {
    i++;
    const kind = i % 100 === 37 ? PLANT_KINDS[plants++ % PLANT_KINDS.length] : undefined;
    const size = rng() < 0.9 ? 800 + rng() * 6000 : 6000 + rng() * 40_000;
    return { text: w.message(i, size, kind), kind };
  };
  const write = (rel: string, data: Buffer) => {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, data);
    m.files++;
    m.bytes += data.length;
  };

  // mbox: a few mailboxes of 2-12 MB (mboxrd: body lines starting "From " escaped).
  for (let box = 0; m.bytes < bytes / 2; box++) {
    const target = Math.min(bytes / 2 - m.bytes, (2 + (box % 6) * 2) * 1024 * 1024);
    const parts: string[] = [];
    let size = 0;
    while (size < target) {
      const { text, kind } = next();
      const mboxText = `From sender@example.net ${new Date(Date.UTC(2024, 0, 1) + i * 1000).toUTCString()}\n${text.replace(/^(>*From )/gm, '>$1')}\n\n`;
      if (kind) m.planted.push({ where: `<m${i}.plant-${kind}@bench.example>`, kind });
      parts.push(mboxText);
      size += Buffer.byteLength(mboxText, 'latin1');
      m.messages++;
    }
    write(
      `mail/mbox/${['Indbakke', 'Sendt', 'Arkiv', 'Projekter'][box % 4]}-${box}.mbox`,
      Buffer.from(parts.join(''), 'latin1'),
    );
  }
  // Maildir: cur/new/tmp and a .Sent folder.
  for (const d of ['cur', 'new', 'tmp', '.Sent/cur', '.Sent/new', '.Sent/tmp'])
    mkdirSync(join(dir, 'mail/Maildir', d), { recursive: true });
  for (let n = 0; m.bytes < (bytes * 3) / 4; n++) {
    const { text, kind } = next();
    const folder = n % 5 === 4 ? '.Sent/cur' : n % 7 === 3 ? 'new' : 'cur';
    const rel = `mail/Maildir/${folder}/${1704067200 + i}.M${i}P4242.bench${folder.endsWith('cur') ? ':2,S' : ''}`;
    if (kind) m.planted.push({ where: rel, kind });
    write(rel, Buffer.from(text, 'latin1'));
    m.messages++;
  }
  // .eml files, half of them with CRLF line breaks (as Outlook saves them).
  for (let n = 0; m.bytes < bytes; n++) {
    const { text, kind } = next();
    const rel = `mail/eml/${['kunder', 'leverandører', 'personale'][n % 3]}/besked-${i}.eml`;
    if (kind) m.planted.push({ where: rel, kind });
    write(rel, Buffer.from(n % 2 ? text.replace(/\n/g, '\r\n') : text, 'latin1'));
    m.messages++;
  }
  return m;
}
