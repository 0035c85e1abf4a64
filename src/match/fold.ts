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

/** Danish/German letters and the digraphs that stand for them, as alternations. */
const SPECIAL: Record<string, string> = {
  ø: '(?:ø|ö|oe|o)',
  ö: '(?:ö|ø|oe|o)',
  æ: '(?:æ|ä|ae)',
  ä: '(?:ä|æ|ae|a)',
  å: '(?:å|aa|a)',
  ü: '(?:ü|ue|u)',
  ß: '(?:ß|ss)',
};

const DIGRAPH: Record<string, string> = {
  aa: '(?:aa|å|a)',
  oe: '(?:oe|ø|ö|o)',
  ae: '(?:ae|æ|ä)',
  ue: '(?:ue|ü|u)',
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

function letterClass(ch: string): string {
  const lower = ch.toLowerCase();
  if (SPECIAL[lower]) return SPECIAL[lower];
  const base = stripDiacritics(lower);
  if (base.length === 1 && VARIANTS[base]) return `[${VARIANTS[base]}]`;
  if (/\p{L}/u.test(lower)) return escapeRegex(lower);
  if (lower === "'" || lower === '’') return "['’]";
  if (lower === '-') return '[-\\s]?';
  return escapeRegex(lower);
}

/** Regex source for one name token in every usual spelling. */
export function tokenPattern(token: string): string {
  const chars = [...token.normalize('NFC')];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const pair = (chars[i] + (chars[i + 1] ?? '')).toLowerCase();
    if (DIGRAPH[pair]) {
      out += DIGRAPH[pair];
      i++;
      continue;
    }
    out += letterClass(chars[i]);
  }
  return out;
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
