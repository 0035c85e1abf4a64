/**
 * Transliteration-tolerant patterns for names. A name token becomes a regex source in which every
 * letter also accepts its usual spellings: `Ø` = `Oe` = `O` = `Ö`, `å` = `aa` = `a`, `æ` = `ae` = `ä`,
 * `é` = `e`, and an `aa`/`oe`/`ae` digraph in the profile also accepts the Danish letter.
 * Patterns are meant for the `iu` flags.
 */

const VARIANTS: Record<string, string> = {
  a: 'aàáâãäåā',
  c: 'cçč',
  e: 'eèéêëēę',
  i: 'iìíîïī',
  n: 'nñń',
  o: 'oòóôõöøō',
  s: 'sšś',
  u: 'uùúûüū',
  y: 'yýÿ',
  z: 'zžźż',
};

/** Danish/German letters and the spellings that stand for them. */
const SPECIAL: Record<string, string[]> = {
  ø: ['ø', 'ö', 'oe', 'o'],
  ö: ['ö', 'ø', 'oe', 'o'],
  æ: ['æ', 'ä', 'ae'],
  ä: ['ä', 'æ', 'ae', 'a'],
  å: ['å', 'aa', 'a'],
  ü: ['ü', 'ue', 'u'],
  ß: ['ß', 'ss'],
};

const DIGRAPH: Record<string, string[]> = {
  aa: ['aa', 'å', 'a'],
  oe: ['oe', 'ø', 'ö', 'o'],
  ae: ['ae', 'æ', 'ä'],
  ue: ['ue', 'ü', 'u'],
};

export function stripDiacritics(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .normalize('NFC');
}

function escapeRegex(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** White space, as a regex class escape: a hyphen in a name may also be written as a space. */
const SPACE = '\\s';

/** One position of a name token: the spellings it accepts, and whether it may be left out. */
interface Position {
  spellings: string[];
  optional?: boolean;
  /** A character class for the text pattern when the spellings are single characters. */
  asClass?: boolean;
}

function letterPosition(ch: string): Position {
  const lower = ch.toLowerCase();
  if (SPECIAL[lower]) return { spellings: SPECIAL[lower] };
  const base = stripDiacritics(lower);
  if (base.length === 1 && VARIANTS[base]) return { spellings: [...VARIANTS[base]], asClass: true };
  if (lower === "'" || lower === '’') return { spellings: ["'", '’'], asClass: true };
  if (lower === '-') return { spellings: ['-', SPACE], optional: true, asClass: true };
  return { spellings: [lower] };
}

function positionsOf(token: string): Position[] {
  const chars = [...token.normalize('NFC')];
  const out: Position[] = [];
  for (let i = 0; i < chars.length; i++) {
    const pair = (chars[i] + (chars[i + 1] ?? '')).toLowerCase();
    if (DIGRAPH[pair]) {
      out.push({ spellings: DIGRAPH[pair] });
      i++;
    } else out.push(letterPosition(chars[i]));
  }
  return out;
}

function render(p: Position, spelling: (s: string) => string, classes: boolean): string {
  const alts = [...new Set(p.spellings.map(spelling))];
  const body =
    alts.length === 1 ? alts[0] : classes && p.asClass ? `[${alts.join('')}]` : `(?:${alts.join('|')})`;
  return p.optional ? `${body}?` : body;
}

/**
 * Regex source for one name token in every usual spelling. With `fromLongestLiteral`, only the part from
 * the token's longest run of plain ASCII letters on: a necessary condition that regex engines test
 * far faster than a pattern starting with an alternation.
 */
export function tokenPattern(token: string, o: { fromLongestLiteral?: boolean } = {}): string {
  const positions = positionsOf(token);
  return positions
    .slice(o.fromLongestLiteral ? longestLiteralRun(positions) : 0)
    .map((p) => render(p, (s) => (s === SPACE ? s : escapeRegex(s)), true))
    .join('');
}

/**
 * Regex source, for the `i` flag over bytes read as Latin-1, that matches wherever `tokenPattern`
 * could match in the decoded text: ASCII characters stand for themselves, any other character for the
 * one to four bytes that encode it in UTF-8 or Windows-1252. Text with combining marks must be
 * NFC-normalised first (see `src/engine/raw-anchors.ts`). `fromLongestLiteral` as for `tokenPattern`.
 */
export function tokenBytePattern(token: string, o: { fromLongestLiteral?: boolean } = {}): string {
  const positions = positionsOf(token);
  return positions
    .slice(o.fromLongestLiteral ? longestLiteralRun(positions) : 0)
    .map((p) =>
      render(p, (s) => (s === SPACE ? `[\\s${NON_ASCII}]{1,4}` : [...s].map(byteSpelling).join('')), false),
    )
    .join('');
}

/** The token's longest run of positions with one plain ASCII spelling each, as text ('' when none). */
export function longestLiteral(token: string): string {
  const positions = positionsOf(token);
  const start = longestLiteralRun(positions);
  let end = start;
  while (end < positions.length && isLiteral(positions[end])) end++;
  return positions
    .slice(start, end)
    .map((p) => p.spellings[0])
    .join('');
}

const isLiteral = (p: Position) =>
  !p.optional && p.spellings.length === 1 && /^[\x21-\x7e]+$/.test(p.spellings[0]);

/** Start of the longest run of positions that are one ASCII spelling each (0 when there is none). */
function longestLiteralRun(positions: Position[]): number {
  let best = 0;
  let bestLength = 0;
  for (let i = 0; i < positions.length; ) {
    let j = i;
    while (j < positions.length && isLiteral(positions[j])) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = Math.max(j, i + 1);
  }
  return best;
}

const NON_ASCII = '\\x80-\\xff';
/** Any non-ASCII character as bytes: UTF-8 (2–4 bytes) or Windows-1252 (1 byte). */
export const NON_ASCII_BYTES = `[${NON_ASCII}]{1,4}`;

function byteSpelling(ch: string): string {
  return ch.charCodeAt(0) < 0x80 ? escapeRegex(ch) : NON_ASCII_BYTES;
}

/** Regex source for the initial of a token: `S.`, `S`, `Ø.`, `O.` */
export function initialPattern(token: string): string {
  const first = [...token.normalize('NFC')][0]?.toLowerCase() ?? '';
  const base = stripDiacritics(first);
  const letters = new Set([first, base]);
  if (first === 'ø' || first === 'ö') letters.add('o').add('ø').add('ö');
  if (first === 'æ' || first === 'ä') letters.add('a').add('æ').add('ä');
  if (first === 'å') letters.add('a');
  return `[${[...letters].map(escapeRegex).join('')}]\\.?`;
}

/** Folds a token for comparison: lower case, no diacritics, Danish letters transliterated. */
export function foldToken(token: string): string {
  return stripDiacritics(
    token
      .normalize('NFC')
      .toLowerCase()
      .replace(/ø|ö/g, 'o')
      .replace(/æ|ä/g, 'ae')
      .replace(/å/g, 'aa')
      .replace(/ß/g, 'ss'),
  )
    .replace(/aa/g, 'a')
    .replace(/oe/g, 'o')
    .replace(/ae/g, 'a')
    .replace(/ue/g, 'u');
}
