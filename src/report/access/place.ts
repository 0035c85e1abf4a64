import type { Location, ScanError } from '../../core/types.js';
import type { Lang } from './i18n.js';
import { STRINGS } from './i18n.js';

/**
 * Where a finding is, said in words the data subject uses: "side 2", "arket Udlæg", "afsenderfeltet",
 * "vedhæftet fil cv.pdf", "fil i arkivet kontrakt.docx". The scan file's own names for these (`member`,
 * `attachment`, `header:From`, `XMP-iptcExt PersonInImage[1]`) stay in the JSON report, where tools read them.
 */

interface PlaceWords {
  member: (name: string) => string;
  picture: (name: string) => string;
  attachment: (name: string) => string;
  message: string;
  messageNumber: (n: string) => string;
  messageId: (id: string) => string;
  page: (n: number) => string;
  sheet: (name: string) => string;
  slide: (n: string) => string;
  line: (n: number) => string;
  headers: Record<string, string>;
  otherHeader: string;
  fields: Record<string, string>;
  faceTag: string;
  keyword: string;
  author: string;
  mediaMetadata: string;
  sidecarOf: (name: string) => string;
  otherField: (name: string) => string;
}

const WORDS: Record<Lang, PlaceWords> = {
  da: {
    member: (n) => `fil i arkivet: ${n}`,
    picture: (n) => `billede i dokumentet: ${n}`,
    attachment: (n) => `vedhæftet fil: ${n}`,
    message: 'e-mail',
    messageNumber: (n) => `e-mail nr. ${n} i postkassefilen`,
    messageId: (id) => `e-mail (id ${id})`,
    page: (n) => `side ${n}`,
    sheet: (n) => `arket ${n}`,
    slide: (n) => `dias ${n}`,
    line: (n) => `linje ${n}`,
    headers: {
      from: 'afsenderfeltet',
      sender: 'afsenderfeltet',
      to: 'modtagerfeltet',
      cc: 'kopimodtagerfeltet',
      bcc: 'feltet for skjulte modtagere',
      'reply-to': 'svaradressen',
      'return-path': 'returadressen',
      subject: 'emnefeltet',
      'delivered-to': 'leveringsadressen',
    },
    otherHeader: 'e-mailens brevhoved',
    fields: {
      path: 'filens navn',
      html: '',
      comments: 'en kommentar',
      footnotes: 'en fodnote',
      endnotes: 'en slutnote',
      header: 'sidehovedet',
      footer: 'sidefoden',
      links: 'et link',
      properties: 'dokumentets egenskaber (fx forfatter)',
      'pdf:info': 'dokumentets egenskaber (fx forfatter)',
      'html attributes': 'et link eller en skjult egenskab i teksten',
      notes: 'noterne',
      description: 'billedets beskrivelse',
    },
    faceTag: 'ansigtsmarkering i billedets metadata',
    keyword: 'nøgleord i billedets metadata',
    author: 'ophavsperson i filens metadata',
    mediaMetadata: 'billedets metadata',
    sidecarOf: (n) => `oplysninger om billedet ${n}`,
    otherField: (n) => `delen «${n}»`,
  },
  en: {
    member: (n) => `file in the archive: ${n}`,
    picture: (n) => `picture in the document: ${n}`,
    attachment: (n) => `attached file: ${n}`,
    message: 'e-mail',
    messageNumber: (n) => `e-mail no. ${n} in the mailbox file`,
    messageId: (id) => `e-mail (id ${id})`,
    page: (n) => `page ${n}`,
    sheet: (n) => `the sheet ${n}`,
    slide: (n) => `slide ${n}`,
    line: (n) => `line ${n}`,
    headers: {
      from: 'the sender field',
      sender: 'the sender field',
      to: 'the recipient field',
      cc: 'the copy (Cc) field',
      bcc: 'the blind copy (Bcc) field',
      'reply-to': 'the reply address',
      'return-path': 'the return address',
      subject: 'the subject line',
      'delivered-to': 'the delivery address',
    },
    otherHeader: 'the e-mail header',
    fields: {
      path: 'the file name',
      html: '',
      comments: 'a comment',
      footnotes: 'a footnote',
      endnotes: 'an endnote',
      header: 'the page header',
      footer: 'the page footer',
      links: 'a link',
      properties: "the document's properties (e.g. author)",
      'pdf:info': "the document's properties (e.g. author)",
      'html attributes': 'a link or hidden attribute in the text',
      notes: 'the notes',
      description: "the picture's description",
    },
    faceTag: "face tag in the picture's metadata",
    keyword: "keyword in the picture's metadata",
    author: "author in the file's metadata",
    mediaMetadata: "the picture's metadata",
    sidecarOf: (n) => `details of the picture ${n}`,
    otherField: (n) => `the part “${n}”`,
  },
};

/** Where Word, Excel, PowerPoint and OpenDocument keep a document's pictures (see OfficePackage.pictures). */
const OFFICE_PICTURE = /^(?:(?:word|xl|ppt)\/media|Pictures)\/([^/]+)$/;

/** One step of an item path (`member a/b.docx`, `attachment x.pdf`, `message <id>`, `message #3`) in plain words. */
export function stepText(step: string, lang: Lang): string {
  const w = WORDS[lang];
  const m = /^(member|attachment|message)\s+(.*)$/s.exec(step);
  if (!m) return step;
  const [, kind, rest] = m;
  if (kind === 'member') {
    const picture = OFFICE_PICTURE.exec(rest);
    return picture ? w.picture(picture[1]) : w.member(rest);
  }
  if (kind === 'attachment') return w.attachment(rest);
  const num = /^#(\d+)$/.exec(rest);
  if (num) return w.messageNumber(num[1]);
  const id = /^[<‹](.*)[>›]$/s.exec(rest);
  return id ? w.messageId(id[1]) : w.message;
}

/** Face-tag fields of the media readers (XMP MWG/MP regions, IPTC PersonInImage, Picasa, Takeout). */
const FACE_FIELD = /Region|PersonInImage|Picasa .*faces|Takeout people/i;
const KEYWORD_FIELD = /Subject|Keywords|TagsList|HierarchicalSubject|CatalogSets|LastKeyword|People/i;
const AUTHOR_FIELD = /Artist|Creator|Author|By-line|OwnerName|Copyright/i;
const MEDIA_GROUP =
  /^(XMP|EXIF|IPTC|IFD\d|ExifIFD|QuickTime|Keys|ItemList|UserData|PNG|RIFF|ICC|File|Composite|Photoshop|MakerNotes|GPS|Takeout)/i;

/** A finding's place within its item in plain words: "side 2, linje 3", "afsenderfeltet", "arket Udlæg, linje 2". */
export function locationText(loc: Location, lang: Lang): string {
  const w = WORDS[lang];
  const parts: string[] = [];
  const field = loc.field ?? 'body';
  let lineMeans = true;
  const page = /^page (\d+)$/.exec(field);
  if (loc.page !== undefined) parts.push(w.page(loc.page));
  else if (page) parts.push(w.page(Number(page[1])));
  if (field === 'ocr') {
    // a scanned page: the page says where; the line of recognised text means little to a reader
    parts.push(STRINGS[lang].location.ocr);
    lineMeans = false;
  } else if (page || /^body( \d+)?$/.test(field) || field === 'html') {
    // the text itself: the page (if any) and line say where
  } else if (field.startsWith('header:')) {
    const name = field.slice(7).toLowerCase();
    parts.push(w.headers[name] ?? w.otherHeader);
    lineMeans = false;
  } else if (field.startsWith('sheet ')) parts.push(w.sheet(field.slice(6)));
  else if (/^slide \d+/.test(field)) parts.push(w.slide(field.slice(6)));
  else if (/attributes$/.test(field)) parts.push(w.fields['html attributes']);
  else if (/^header\d*$/.test(field)) parts.push(w.fields.header);
  else if (/^footer\d*$/.test(field)) parts.push(w.fields.footer);
  else if (field in w.fields) {
    parts.push(w.fields[field]);
    lineMeans = field === 'comments' || field === 'footnotes' || field === 'endnotes' || field === 'notes';
  } else if (FACE_FIELD.test(field)) {
    parts.push(w.faceTag);
    lineMeans = false;
  } else if (MEDIA_GROUP.test(field) || field.includes(' ')) {
    parts.push(KEYWORD_FIELD.test(field) ? w.keyword : AUTHOR_FIELD.test(field) ? w.author : w.mediaMetadata);
    lineMeans = false;
  } else {
    parts.push(w.otherField(field));
    lineMeans = false;
  }
  if (loc.sidecarOf) parts.push(w.sidecarOf(loc.sidecarOf.split(/[\\/]/).pop() ?? loc.sidecarOf));
  if (lineMeans && loc.line !== undefined && loc.line > 0) parts.push(w.line(loc.line));
  return parts.filter(Boolean).join(', ');
}

interface ErrorWords {
  permission: string;
  missing: string;
  loop: string;
  busy: string;
  encrypted: string;
  corrupt: string;
  limit: string;
  timeout: string;
  unsupported: string;
  connection: string;
  notText: string;
  scannedPages: (pages: string, total: string) => string;
  scannedImage: string;
}

const ERRORS: Record<Lang, ErrorWords> = {
  da: {
    permission: 'Vi havde ikke adgang til at læse den.',
    missing: 'Den forsvandt under søgningen.',
    loop: 'Mappen henviser til sig selv; den blev kun gennemsøgt én gang.',
    busy: 'Den var i brug og kunne ikke åbnes.',
    encrypted: 'Den er beskyttet med en adgangskode og kunne ikke læses.',
    corrupt: 'Den er beskadiget eller ufuldstændig; det, der kunne læses, er gennemsøgt.',
    limit: 'Den er for stor til at blive læst helt; kun en del er gennemsøgt.',
    timeout: 'Det tog for lang tid at læse den; kun en del er gennemsøgt.',
    unsupported: 'Dens format kan ikke læses af søgningen.',
    connection: 'Forbindelsen til postserveren blev afbrudt.',
    notText: 'Den indeholder ingen tekst, der kan søges i.',
    scannedPages: (p, n) =>
      `Side ${p} af ${n} ${p.includes('-') || p.includes(',') ? 'er indscannede billeder' : 'er et indscannet billede'} uden tekst og kunne ikke gennemsøges.`,
    scannedImage: 'Det er et indscannet dokument (et billede uden tekst) og kunne ikke gennemsøges.',
  },
  en: {
    permission: 'We had no permission to read it.',
    missing: 'It disappeared during the search.',
    loop: 'The folder refers to itself; it was searched only once.',
    busy: 'It was in use and could not be opened.',
    encrypted: 'It is protected by a password and could not be read.',
    corrupt: 'It is damaged or incomplete; what could be read was searched.',
    limit: 'It is too large to be read in full; only part of it was searched.',
    timeout: 'Reading it took too long; only part of it was searched.',
    unsupported: 'Its format cannot be read by the search.',
    connection: 'The connection to the mail server was lost.',
    notText: 'It holds no text that can be searched.',
    scannedPages: (p, n) =>
      `${p.includes('-') || p.includes(',') ? 'Pages' : 'Page'} ${p} of ${n} ${p.includes('-') || p.includes(',') ? 'are scanned images' : 'is a scanned image'} without text and could not be searched.`,
    scannedImage: 'It is a scanned document (an image without text) and could not be searched.',
  },
};

/**
 * Why an item could not be read fully, in plain words. The raw message (`EACCES: permission denied,
 * open …`) stays in the scan file and the JSON report; the subject reads what it means.
 */
export function errorText(e: ScanError, lang: Lang): string {
  const w = ERRORS[lang];
  const m = e.message;
  if (/\bEACCES\b|\bEPERM\b|permission denied|operation not permitted/i.test(m)) return w.permission;
  if (/\bENOENT\b|no such file/i.test(m)) return w.missing;
  if (/\bELOOP\b|loop|already walked|visited/i.test(m)) return w.loop;
  if (/\bEBUSY\b|\bETXTBSY\b|resource busy/i.test(m)) return w.busy;
  const pages = /no text layer on pages? ([\d, -]+) of (\d+)/.exec(m);
  if (pages) return w.scannedPages(pages[1].trim(), pages[2]);
  if (/^image of a document/.test(m)) return w.scannedImage;
  return w[e.kind] ?? w.corrupt;
}
