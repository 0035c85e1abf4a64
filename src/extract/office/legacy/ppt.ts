import { ExtractError } from '../../../core/errors.js';

/** What a legacy presentation holds as text, by the field it is reported in. */
export interface Presentation {
  /** `slide 1`, `notes 1`, …, `masters`, `headers and footers`, `comments`, `other text`, in slide order. */
  fields: Map<string, string[]>;
  commentAuthors: string[];
}

const DOCUMENT = 0x03e8;
const SLIDE = 0x03ee;
const NOTES = 0x03f0;
const NOTES_ATOM = 0x03f1;
const MAIN_MASTER = 0x03f8;
const SLIDE_LIST_WITH_TEXT = 0x0ff0;
const SLIDE_PERSIST_ATOM = 0x03f3;
const TEXT_CHARS = 0x0fa0;
const TEXT_BYTES = 0x0fa8;
const CSTRING = 0x0fba;
const HEADERS_FOOTERS = 0x0fd9;
const COMMENT = 0x2ee0;
const PERSIST_DIRECTORY = 0x1772;
const CRYPT_SESSION = 0x2f14;

/** Nesting followed at most: records deeper than this in a damaged stream are not read. */
const MAX_DEPTH = 32;

interface Rec {
  type: number;
  instance: number;
  container: boolean;
  offset: number;
  body: Buffer;
}

function* children(b: Buffer, start: number, end: number): Generator<Rec> {
  let p = start;
  while (p + 8 <= end) {
    const vi = b.readUInt16LE(p);
    const length = b.readUInt32LE(p + 4);
    if (length > end - p - 8) return;
    yield {
      type: b.readUInt16LE(p + 2),
      instance: vi >> 4,
      container: (vi & 0xf) === 0xf,
      offset: p,
      body: b.subarray(p + 8, p + 8 + length),
    };
    p += 8 + length;
  }
}

/**
 * Reads the text of a `PowerPoint Document` stream (MS-PPT): the text atoms of each slide, its notes and
 * the masters, headers and footers, and comments with their authors. Slides are numbered as shown,
 * through the slide list and the persist directory; text the numbering cannot place is `other text`.
 */
export function readPresentation(stream: Buffer): Presentation {
  const top = [...children(stream, 0, stream.length)];
  if (!top.length) throw new ExtractError('corrupt', 'the PowerPoint Document stream holds no records');
  if (top.some((r) => r.type === CRYPT_SESSION))
    throw new ExtractError('encrypted', 'password-protected PowerPoint presentation; not read');
  const persist = new Map<number, number>();
  for (const r of top) if (r.type === PERSIST_DIRECTORY) readPersistDirectory(r.body, persist);
  const offsetToPersist = new Map([...persist].map(([id, offset]) => [offset, id]));

  const out: Presentation = { fields: new Map(), commentAuthors: [] };
  const add = (field: string, text: string) => {
    const t = text
      .replace(/\r\n?|\v/g, '\n')
      .replace(/\0/g, '')
      .trim();
    if (!t) return;
    const list = out.fields.get(field) ?? [];
    if (!list.includes(t)) list.push(t);
    out.fields.set(field, list);
  };

  const slideOfPersist = new Map<number, number>();
  const slideOfId = new Map<number, number>();
  const notesOfPersist = new Map<number, number>();
  const document = top.find((r) => r.type === DOCUMENT);
  if (document) {
    for (const list of children(document.body, 0, document.body.length)) {
      if (list.type !== SLIDE_LIST_WITH_TEXT) continue;
      let n = 0;
      let field = list.instance === 0 ? 'other text' : list.instance === 1 ? 'masters' : 'notes';
      for (const r of children(list.body, 0, list.body.length)) {
        if (r.type === SLIDE_PERSIST_ATOM && r.body.length >= 16) {
          n++;
          const persistId = r.body.readUInt32LE(0);
          if (list.instance === 0) {
            slideOfPersist.set(persistId, n);
            slideOfId.set(r.body.readUInt32LE(12), n);
            field = `slide ${n}`;
          } else if (list.instance === 2) notesOfPersist.set(persistId, n);
        } else if (isText(r)) add(field, textOf(r));
      }
    }
    // The rest of the document container: headers and footers, and any text outside the slide lists.
    collect(document.body, 'other text', add, out, 0);
  }

  for (const r of top) {
    if (r.type === DOCUMENT) continue;
    const persistId = offsetToPersist.get(r.offset);
    let field = 'other text';
    if (r.type === SLIDE) {
      const n = persistId === undefined ? undefined : slideOfPersist.get(persistId);
      field = n ? `slide ${n}` : 'other text';
    } else if (r.type === NOTES) {
      const atom = [...children(r.body, 0, r.body.length)].find((c) => c.type === NOTES_ATOM);
      const n =
        (atom && atom.body.length >= 4 ? slideOfId.get(atom.body.readUInt32LE(0)) : undefined) ??
        (persistId === undefined ? undefined : notesOfPersist.get(persistId));
      field = n ? `notes ${n}` : 'masters';
    } else if (r.type === MAIN_MASTER) field = 'masters';
    else if (!r.container) continue;
    collect(r.body, field, add, out, 0);
  }
  // Slides in the order shown, then the rest.
  const rank = (f: string) => {
    const m = /^(slide|notes) (\d+)$/.exec(f);
    return m ? Number(m[2]) * 2 + (m[1] === 'notes' ? 1 : 0) : Number.MAX_SAFE_INTEGER;
  };
  out.fields = new Map([...out.fields].sort((a, b) => rank(a[0]) - rank(b[0])));
  return out;
}

function isText(r: Rec): boolean {
  return r.type === TEXT_CHARS || r.type === TEXT_BYTES;
}

function textOf(r: Rec): string {
  return r.type === TEXT_CHARS ? r.body.toString('utf16le') : r.body.toString('latin1');
}

/** Text atoms anywhere under a container; header/footer strings and comments go to their own fields. */
function collect(
  body: Buffer,
  field: string,
  add: (field: string, text: string) => void,
  out: Presentation,
  depth: number,
): void {
  if (depth > MAX_DEPTH) return;
  for (const r of children(body, 0, body.length)) {
    if (isText(r)) add(field, textOf(r));
    else if (r.type === HEADERS_FOOTERS) {
      for (const s of children(r.body, 0, r.body.length))
        if (s.type === CSTRING) add('headers and footers', s.body.toString('utf16le'));
    } else if (r.type === COMMENT) {
      for (const s of children(r.body, 0, r.body.length)) {
        if (s.type !== CSTRING) continue;
        const text = s.body.toString('utf16le').replace(/\0/g, '').trim();
        if (s.instance === 0 && text) out.commentAuthors.push(text);
        if (s.instance === 1) add('comments', text);
      }
    } else if (r.container && r.type !== SLIDE_LIST_WITH_TEXT) collect(r.body, field, add, out, depth + 1);
  }
}

/** Persist id -> stream offset; a later directory (a later save) overrides an earlier one. */
function readPersistDirectory(body: Buffer, persist: Map<number, number>): void {
  let p = 0;
  while (p + 4 <= body.length) {
    const head = body.readUInt32LE(p);
    const first = head & 0xfffff;
    const count = head >>> 20;
    p += 4;
    for (let i = 0; i < count && p + 4 <= body.length; i++, p += 4)
      persist.set(first + i, body.readUInt32LE(p));
  }
}
