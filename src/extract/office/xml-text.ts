import { decodeXML } from 'entities';

/** How to read the text of one XML vocabulary (WordprocessingML, DrawingML, OpenDocument, …). */
export interface XmlTextRules {
  /** Only character data inside these elements is text (`w:t`); when absent, all character data is. */
  text?: ReadonlySet<string>;
  /** Elements that end a line: paragraphs, table rows, list items. */
  block: ReadonlySet<string>;
  /** Elements that separate cells on a line. */
  cell?: ReadonlySet<string>;
  /** Empty elements standing for a tab or a line break. */
  tab?: ReadonlySet<string>;
  br?: ReadonlySet<string>;
  /** OpenDocument `text:s`: `text:c` spaces. */
  spaces?: string;
  /** Elements whose whole content is not text (phonetic guides, field results already shown elsewhere). */
  skip?: ReadonlySet<string>;
}

const TOKEN =
  /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<[?!][^>]*>|<(\/?)([^\s/>]+)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>|([^<]+)/g;
const COUNT = /\bc\s*=\s*["'](\d+)["']/;

/**
 * Text of an XML part. Runs inside a paragraph are joined with nothing between them, so a name split
 * across formatting runs (`<w:t>Sø</w:t></w:r><w:r><w:t>ren</w:t>`) reads whole; paragraphs end lines.
 */
export function xmlToText(xml: string, rules: XmlTextRules): string {
  return xmlToCheckedText(xml, rules).text;
}

/** `xmlToText`, and what makes the part not well-formed XML, if anything (see XmlTextReader.problem). */
export function xmlToCheckedText(xml: string, rules: XmlTextRules): { text: string; problem?: string } {
  const reader = new XmlTextReader(rules);
  const text = reader.write(xml) + reader.end();
  return { text, problem: reader.problem };
}

/**
 * `xmlToText` over a part given piece by piece (a document body too large to hold): markup is read up
 * to the last point where no element, comment or CDATA section is left open, the rest waits for the
 * next piece, and the pieces of text joined are exactly the text of the whole part.
 */
export class XmlTextReader {
  private pending = '';
  private inText = 0;
  private skipping = 0;
  private lineHasText = false;
  /** Line breaks at the end of the text handed on so far: runs of three or more become two. */
  private trailingBreaks = 0;
  /** Elements open at this point, to tell a damaged part (mismatched or unclosed tags). */
  private readonly open: string[] = [];
  /**
   * The first thing that makes the part not well-formed XML (a tag closed out of order, one never
   * closed, a stray `<`), or undefined. The text is read leniently all the same.
   */
  problem: string | undefined;

  /** `onMarkup` sees each complete stretch of markup as it is read (to collect attributes). */
  constructor(
    private readonly rules: XmlTextRules,
    private readonly onMarkup?: (xml: string) => void,
  ) {}

  write(xml: string): string {
    this.pending += xml;
    const cut = completeEnd(this.pending);
    if (cut === 0) return '';
    const ready = this.pending.slice(0, cut);
    this.pending = this.pending.slice(cut);
    return this.read(ready);
  }

  end(): string {
    const rest = this.pending;
    this.pending = '';
    const text = this.read(rest);
    if (this.open.length)
      this.problem ??= `<${this.open[this.open.length - 1]}> is never closed (truncated?)`;
    return text;
  }

  private read(xml: string): string {
    this.onMarkup?.(xml);
    const { rules } = this;
    const out: string[] = [];
    const newline = () => {
      out.push('\n');
      this.lineHasText = false;
    };
    let expected = 0;
    for (const m of xml.matchAll(TOKEN)) {
      const [, cdata, close, tag, attrs, selfClose, chars] = m;
      if (m.index !== expected) this.problem ??= `a stray "<" at character ${m.index}`;
      expected = m.index + m[0].length;
      if (tag !== undefined) this.balance(tag, close === '/', selfClose === '/');
      if (chars !== undefined || cdata !== undefined) {
        if (this.skipping || (rules.text && !this.inText)) continue;
        const t = cdata ?? decodeXML(chars!);
        // Whitespace between elements is layout, not text, in vocabularies that mark their text elements.
        if (!rules.text && !this.lineHasText && !t.trim()) continue;
        out.push(t);
        this.lineHasText = true;
        continue;
      }
      if (tag === undefined) continue;
      if (rules.skip?.has(tag)) {
        if (!selfClose) this.skipping += close ? -1 : 1;
        if (this.skipping < 0) this.skipping = 0;
        continue;
      }
      if (this.skipping) continue;
      if (rules.text?.has(tag)) {
        if (!selfClose) this.inText += close ? -1 : 1;
        if (this.inText < 0) this.inText = 0;
        continue;
      }
      if (close || selfClose) {
        if (rules.block.has(tag)) newline();
        else if (rules.cell?.has(tag)) out.push('\t');
      }
      if (!close) {
        if (rules.tab?.has(tag)) out.push('\t');
        else if (rules.br?.has(tag)) newline();
        else if (tag === rules.spaces)
          out.push(' '.repeat(Math.min(Number(COUNT.exec(attrs ?? '')?.[1] ?? 1), 1000)));
      }
    }
    return this.collapseBreaks(out.join(''));
  }

  private balance(tag: string, close: boolean, selfClose: boolean): void {
    if (selfClose) return;
    if (!close) {
      this.open.push(tag);
      return;
    }
    const top = this.open.pop();
    if (top !== tag) {
      this.problem ??= top ? `</${tag}> closes <${top}>` : `</${tag}> closes no element`;
      if (top) this.open.push(top);
    }
  }

  /** Runs of three or more line breaks become two, also where a run spans two pieces. */
  private collapseBreaks(text: string): string {
    let lead = 0;
    while (lead < text.length && text.charCodeAt(lead) === 10) lead++;
    const kept = this.trailingBreaks + lead >= 3 ? Math.max(0, 2 - this.trailingBreaks) : lead;
    const out = '\n'.repeat(kept) + text.slice(lead).replace(/\n{3,}/g, '\n\n');
    if (lead === text.length) this.trailingBreaks += kept;
    else {
      let trail = 0;
      while (trail < out.length && out.charCodeAt(out.length - 1 - trail) === 10) trail++;
      this.trailingBreaks = trail;
    }
    return out;
  }
}

/** The text of a part given piece by piece, through `reader`. */
export async function* xmlTextPieces(
  xml: AsyncIterable<string>,
  reader: XmlTextReader,
): AsyncGenerator<string> {
  for await (const piece of xml) {
    const text = reader.write(piece);
    if (text) yield text;
  }
  const rest = reader.end();
  if (rest) yield rest;
}

/**
 * Where the complete markup in `xml` ends: before its last `<` (character data runs up to the next
 * tag), and before a comment or CDATA section not closed by then (a `<` may stand inside one).
 */
function completeEnd(xml: string): number {
  let cut = xml.lastIndexOf('<');
  for (let moved = true; moved && cut > 0; ) {
    moved = false;
    for (const [open, close] of SECTIONS) {
      const at = xml.lastIndexOf(open, cut);
      if (at === -1 || at === cut) continue;
      const closed = xml.indexOf(close, at + open.length);
      if (closed === -1 || closed + close.length > cut) {
        cut = at;
        moved = true;
      }
    }
  }
  return Math.max(cut, 0);
}

const SECTIONS = [
  ['<![CDATA[', ']]>'],
  ['<!--', '-->'],
] as const;

const LEAF = /<([\w.-]+:)?([\w.-]+)(?:\s[^>]*)?>([^<]+)<\/\1?\2\s*>/g;
const NAMED = /<([\w.-]+:)?([\w.-]+)\s[^>]*?\b(?:meta:)?name="([^"]*)"[^>]*>([^<]*)<\/\1?\2\s*>/g;

/**
 * `name: value` lines for every simple element of a properties part (docProps/core.xml, app.xml,
 * custom.xml, OpenDocument meta.xml): author, last modified by, title, company, custom fields.
 */
export function propertyLines(xml: string): string[] {
  const lines: string[] = [];
  for (const m of xml.matchAll(NAMED)) {
    const value = decodeXML(m[4]).trim();
    if (value) lines.push(`${decodeXML(m[3])}: ${value}`);
  }
  for (const m of xml.matchAll(LEAF)) {
    const value = decodeXML(m[3]).trim();
    if (value && !/^(user-defined)$/.test(m[2])) lines.push(`${m[2]}: ${value}`);
  }
  return [...new Set(lines)];
}

/** Attribute values of every element `tag` in `xml`, e.g. relationship targets. */
export function attributesOf(xml: string, tag: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  const el = new RegExp(`<${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b([^>]*)>`, 'g');
  for (const m of xml.matchAll(el)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
      attrs[a[1]] = decodeXML(a[2] ?? a[3] ?? '');
    out.push(attrs);
  }
  return out;
}
