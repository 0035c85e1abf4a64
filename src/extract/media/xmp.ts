/**
 * A small native XMP reader for the fields dsr reads (media/tags.ts), producing the same
 * `{ "XMP-group:Tag": value }` shape as `exiftool -G1 -struct -json`, so a JPEG, PNG or WebP whose only
 * person or author fields are in XMP needs no exiftool process. XMP is RDF/XML: properties are
 * attributes or elements of `rdf:Description`; arrays are `rdf:Bag`/`rdf:Seq`; language alternatives
 * `rdf:Alt` (the `x-default` value is taken, as exiftool does); structures use
 * `rdf:parseType="Resource"`, a nested `rdf:Description` or attributes. Namespaces are resolved by URI,
 * so any prefix works. Anything malformed throws, and the caller falls back to exiftool.
 */

/** (namespace URI, local name) of each top-level property -> exiftool's group:tag. */
const TOP_LEVEL: Record<string, Record<string, string>> = {
  'http://www.metadataworkinggroup.com/schemas/regions/': { Regions: 'XMP-mwg-rs:RegionInfo' },
  'http://ns.microsoft.com/photo/1.2/': { RegionInfo: 'XMP-MP:RegionInfoMP' },
  'http://iptc.org/std/Iptc4xmpExt/2008-02-29/': {
    PersonInImage: 'XMP-iptcExt:PersonInImage',
    PersonInImageWDetails: 'XMP-iptcExt:PersonInImageWDetails',
  },
  'http://ns.adobe.com/lightroom/1.0/': { hierarchicalSubject: 'XMP-lr:HierarchicalSubject' },
  'http://www.digikam.org/ns/1.0/': { TagsList: 'XMP-digiKam:TagsList' },
  'http://purl.org/dc/elements/1.1/': {
    subject: 'XMP-dc:Subject',
    creator: 'XMP-dc:Creator',
    rights: 'XMP-dc:Rights',
    description: 'XMP-dc:Description',
  },
  'http://ns.adobe.com/tiff/1.0/': { Artist: 'XMP-tiff:Artist' },
  'http://ns.adobe.com/exif/1.0/aux/': { OwnerName: 'XMP-aux:OwnerName' },
  'http://cipa.jp/exif/1.0/': { CameraOwnerName: 'XMP-exifEX:CameraOwnerName' },
  'http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/': { CreatorContactInfo: 'XMP-iptcCore:CreatorContactInfo' },
};

/** Property names (local names, case-sensitive) of the XMP fields dsr reads; `description` is dc's, not rdf:Description. */
const XMP_FIELDS =
  /:(?:RegionInfo|Regions|RegionList|PersonInImage|PersonInImageWDetails|hierarchicalSubject|TagsList|subject|creator|rights|description|Artist|OwnerName|CameraOwnerName|CreatorContactInfo)(?=[\s=>/])/;

/** A cheap test on raw XMP text (any prefix) that it may hold one of the fields dsr reads. */
export function xmpHasFields(xmp: string): boolean {
  return XMP_FIELDS.test(xmp);
}

const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const XML = 'http://www.w3.org/XML/1998/namespace';
const MAX_DEPTH = 64;
const MAX_NODES = 200_000;

type XmpValue = string | XmpValue[] | { [key: string]: XmpValue };

interface Node {
  uri: string;
  local: string;
  attrs: { uri: string; local: string; value: string }[];
  children: Node[];
  text: string;
}

/**
 * Reads XMP packets into exiftool-shaped tags (only the fields dsr reads). `reachable`: what lies
 * nested too deep (a hostile packet thousands of levels deep) is left out instead of failing the
 * whole packet, for when exiftool could not read it either.
 */
export function readXmpTags(packets: string[], opts: { reachable?: boolean } = {}): Record<string, XmpValue> {
  const tags: Record<string, XmpValue> = {};
  lenient = Boolean(opts.reachable);
  for (const packet of packets) {
    let root: Node;
    try {
      root = parseXml(packet, opts);
    } catch (err) {
      // As far as it goes: a packet that is not XML at all holds nothing reachable.
      if (opts.reachable) continue;
      throw err;
    }
    nodeIds = nodesById(root);
    for (const desc of descriptions(root)) {
      for (const a of desc.attrs) {
        const key = TOP_LEVEL[a.uri]?.[a.local];
        if (key && !(key in tags)) tags[key] = a.value;
      }
      for (const prop of desc.children) {
        const key = TOP_LEVEL[prop.uri]?.[prop.local];
        if (key && !(key in tags)) tags[key] = propertyValue(prop, 0);
      }
    }
  }
  return tags;
}

/** Blank nodes by `rdf:nodeID` (f-spot writes arrays apart and refers to them), for the packet being read. */
let nodeIds = new Map<string, Node>();

function nodesById(root: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  const walk = (n: Node, depth: number) => {
    if (depth > MAX_DEPTH) return;
    const id = n.attrs.find((a) => a.uri === RDF && a.local === 'nodeID')?.value;
    if (id !== undefined && n.uri === RDF && n.local !== 'li' && n.children.length) out.set(id, n);
    for (const c of n.children) walk(c, depth + 1);
  };
  walk(root, 0);
  return out;
}

function descriptions(root: Node): Node[] {
  const out: Node[] = [];
  const walk = (n: Node, depth: number) => {
    if (depth > MAX_DEPTH) return;
    if (n.uri === RDF && n.local === 'Description') {
      out.push(n);
      return;
    }
    for (const c of n.children) walk(c, depth + 1);
  };
  walk(root, 0);
  return out;
}

/** Set by readXmpTags for the packets it reads: values nested too deep are empty, not an error. */
let lenient = false;

function propertyValue(el: Node, depth: number): XmpValue {
  if (depth > MAX_DEPTH) {
    if (lenient) return '';
    throw new Error('XMP nested too deeply');
  }
  const attr = (uri: string, local: string) =>
    el.attrs.find((a) => a.uri === uri && a.local === local)?.value;
  const resource = attr(RDF, 'resource');
  if (resource !== undefined) return resource;
  if (attr(RDF, 'parseType') === 'Resource') return structOf(el, depth);
  const ref = attr(RDF, 'nodeID');
  const target = ref !== undefined && !el.children.length ? nodeIds.get(ref) : undefined;
  const first = target ?? el.children[0];
  if (first?.uri === RDF && (first.local === 'Bag' || first.local === 'Seq'))
    return first.children.filter(isLi).map((li) => propertyValue(li, depth + 1));
  if (first?.uri === RDF && first.local === 'Alt') {
    const items = first.children.filter(isLi);
    const chosen =
      items.find((li) =>
        li.attrs.some((a) => a.uri === XML && a.local === 'lang' && a.value === 'x-default'),
      ) ?? items[0];
    return chosen ? propertyValue(chosen, depth + 1) : '';
  }
  if (first?.uri === RDF && first.local === 'Description') return structOf(first, depth);
  if (el.children.length || propertyAttrs(el).length) return structOf(el, depth);
  return el.text;
}

function structOf(el: Node, depth: number): { [key: string]: XmpValue } {
  const out: { [key: string]: XmpValue } = {};
  for (const a of propertyAttrs(el)) out[ucfirst(a.local)] = a.value;
  for (const c of el.children) out[ucfirst(c.local)] = propertyValue(c, depth + 1);
  return out;
}

function propertyAttrs(el: Node) {
  return el.attrs.filter((a) => a.uri !== RDF && a.uri !== XML && a.uri !== 'xmlns');
}

function isLi(n: Node): boolean {
  return n.uri === RDF && n.local === 'li';
}

function ucfirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const TOKEN =
  /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<![^>]*>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/gy;
const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * A namespace-aware XML tree of the packet; throws on a structure error. Iterative, so depth never
 * costs stack; past MAX_DEPTH * 4 levels it throws, or with `reachable` leaves those elements out.
 */
export function parseXml(xml: string, opts: { reachable?: boolean } = {}): Node {
  const root: Node = { uri: '', local: '#root', attrs: [], children: [], text: '' };
  const stack: { node: Node; ns: Map<string, string>; qname: string }[] = [
    { node: root, ns: new Map([['xml', XML]]), qname: '' },
  ];
  let nodes = 0;
  /** Open elements left out below the deepest kept one (`reachable`). */
  let below = 0;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < xml.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(xml);
    if (!m || m.index !== start) throw new Error('XMP is not well-formed XML');
    const top = stack[stack.length - 1];
    if (below > 0) {
      if (m[2] !== undefined) below--;
      else if (m[3] !== undefined && !m[5]) below++;
      continue;
    }
    if (m[3] !== undefined && opts.reachable && stack.length > MAX_DEPTH * 4) {
      if (!m[5]) below = 1;
      continue;
    }
    if (m[6] !== undefined) top.node.text += decode(m[6]);
    else if (m[1] !== undefined) top.node.text += m[1];
    else if (m[2] !== undefined) {
      if (m[2] !== top.qname || stack.length === 1) throw new Error(`XMP: unexpected </${m[2]}>`);
      stack.pop();
    } else if (m[3] !== undefined) {
      if (++nodes > MAX_NODES || stack.length > MAX_DEPTH * 4) throw new Error('XMP too large or too deep');
      // An element shares its parent's namespaces unless it declares its own (most do not).
      let ns = top.ns;
      const raw: [string, string][] = [];
      if (m[4]) {
        ATTR.lastIndex = 0;
        for (let a = ATTR.exec(m[4]); a; a = ATTR.exec(m[4])) {
          const value = decode(a[2] ?? a[3] ?? '');
          const declares = a[1] === 'xmlns' || a[1].startsWith('xmlns:');
          if (!declares) raw.push([a[1], value]);
          else {
            if (ns === top.ns) ns = new Map(top.ns);
            ns.set(a[1] === 'xmlns' ? '' : a[1].slice(6), value);
          }
        }
      }
      const uriOf = (qname: string, colon: number, isAttr: boolean) =>
        colon === -1
          ? isAttr
            ? ''
            : (ns.get('') ?? '')
          : (ns.get(qname.slice(0, colon)) ?? `?${qname.slice(0, colon)}`);
      const attrs = raw.map(([q, value]) => {
        const colon = q.indexOf(':');
        return { uri: uriOf(q, colon, true), local: q.slice(colon + 1), value };
      });
      const colon = m[3].indexOf(':');
      const node: Node = {
        uri: uriOf(m[3], colon, false),
        local: m[3].slice(colon + 1),
        attrs,
        children: [],
        text: '',
      };
      top.node.children.push(node);
      if (!m[5]) stack.push({ node, ns, qname: m[3] });
    }
  }
  return root;
}

function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
    }
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[e] ?? '';
  });
}
