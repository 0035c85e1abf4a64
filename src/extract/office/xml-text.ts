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
  const out: string[] = [];
  let inText = 0;
  let skipping = 0;
  let lineHasText = false;
  const newline = () => {
    out.push('\n');
    lineHasText = false;
  };
  for (const m of xml.matchAll(TOKEN)) {
    const [, cdata, close, tag, attrs, selfClose, chars] = m;
    if (chars !== undefined || cdata !== undefined) {
      if (skipping || (rules.text && !inText)) continue;
      const t = cdata ?? decodeXML(chars!);
      // Whitespace between elements is layout, not text, in vocabularies that mark their text elements.
      if (!rules.text && !lineHasText && !t.trim()) continue;
      out.push(t);
      lineHasText = true;
      continue;
    }
    if (tag === undefined) continue;
    if (rules.skip?.has(tag)) {
      if (!selfClose) skipping += close ? -1 : 1;
      if (skipping < 0) skipping = 0;
      continue;
    }
    if (skipping) continue;
    if (rules.text?.has(tag)) {
      if (!selfClose) inText += close ? -1 : 1;
      if (inText < 0) inText = 0;
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
  return out.join('').replace(/\n{3,}/g, '\n\n');
}

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
