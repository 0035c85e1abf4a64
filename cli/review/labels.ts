/**
 * The review screen's words in Danish or English: `dsr review --lang da`, else `LANG`/`LC_ALL`
 * (`da_DK.UTF-8` gives Danish), as the access report follows `--lang`.
 */
export type ReviewLang = 'da' | 'en';

export interface ReviewLabels {
  lang: ReviewLang;
  roots: string;
  unsaved: string;
  evidence: { confirmed: string; possible: string; namesake: string };
  decided: string;
  undecided: string;
  errors: string;
  help: string;
  pressHelp: string;
  keysTitle: string;
  keys: readonly [string, string][];
  detail: string;
  detailFocus: string;
  detailBack: string;
  decision: string;
  undecidedValue: string;
  mine: (n: number) => string;
  others: string;
  scanned: string;
  noItems: string;
  planTitle: (n: number) => string;
  initials: string;
  /** Where an item is listed from: a folder, a mailbox, an archive. */
  source: { folder: string; mailbox: string; archive: string };
  decisions: { include: string; exclude: string; namesake: string; keep: string };
  /** `by anna at 2026-…` after a decision. */
  decidedBy: (by: string, at: string) => string;
  /** Other people's identifiers counted by the scan but not listed (it was made without --all). */
  othersUnlisted: (n: number) => string;
  elsewhere: string;
  scannedAt: (at: string, id: string) => string;
  fingerprint: { modified: string; offset: string; none: string };
  /** Text read by OCR, a face region, a box in pixels. */
  ocr: string;
  faceRegion: string;
  box: (b: { x: number; y: number; w: number; h: number }) => string;
  /** A step of an item's path inside its file: `message <id>`, `message #3`, `page 2` in Danish. */
  step: (step: string) => string;
  facets: { all: string; undecided: string; possible: string; namesake: string; confirmed: string };
  facetTitle: string;
  current: string;
  keepBecause: string;
  filterMatches: (n: number) => string;
  quitAsk: (n: number) => string;
}

const en: ReviewLabels = {
  lang: 'en',
  roots: 'roots',
  unsaved: '[unsaved]',
  evidence: { confirmed: 'confirmed', possible: 'possible', namesake: 'namesake' },
  decided: 'decided',
  undecided: 'undecided',
  errors: 'errors',
  help: '? help',
  pressHelp: 'press ? for keys',
  keysTitle: 'keys',
  keys: [
    ['↑/↓ j/k', 'move'],
    ['PgUp/PgDn g/G', 'page up/down, first/last item'],
    ['Enter/Tab', 'focus the detail pane (j/k scroll it) and back'],
    ['i', "include: the subject's, to report and erase"],
    ['r', "keep: the subject's, kept for a reason (reported, not erased)"],
    ['e', "exclude: not the subject's data (not reported, not erased)"],
    ['n', 'namesake: someone else with the same name'],
    ['space', 'toggle include/keep'],
    ['x', 'nothing (it meant keep before): use r or e'],
    ['u', 'undo the last decision'],
    ['o', 'open the item in $PAGER (the file at the line, or the message)'],
    ['v', 'open the item in $EDITOR, read-only where it can be'],
    ['a', 'include every confirmed item in view'],
    ['/', 'filter by text (Enter keeps it, Esc restores)'],
    ['f', 'filter by evidence level, detector or undecided'],
    ['s', 'save decisions beside the scan (.review.json)'],
    ['p', 'build the erasure plan, approve it with the initials'],
    ['?', 'this help (Esc or ? closes it)'],
    ['q', 'quit (asks to save unsaved decisions)'],
  ],
  detail: 'detail',
  detailFocus: 'Tab to focus',
  detailBack: 'j/k scroll, Tab back',
  decision: 'decision: ',
  undecidedValue: 'undecided',
  mine: (n) => `findings of the subject (${n})`,
  others: "other people's identifiers in this item",
  scanned: 'scanned',
  noItems: 'no items match the filters (/ and f change them)',
  planTitle: (n) => `erasure plan: ${n} action${n === 1 ? '' : 's'}`,
  initials: "Type the subject's initials to approve and seal the plan (Esc cancels): ",
  source: { folder: 'folder', mailbox: 'mailbox', archive: 'archive' },
  decisions: { include: 'include', exclude: 'exclude', namesake: 'namesake', keep: 'keep' },
  decidedBy: (by, at) => ` by ${by} at ${at}`,
  othersUnlisted: (n) => `${n} (scan with --all)`,
  elsewhere: "other people's identifiers elsewhere in its message (removed with it)",
  scannedAt: (at, id) => `at ${at} · item ${id}`,
  fingerprint: { modified: 'modified', offset: 'offset', none: 'no fingerprint' },
  ocr: 'read by OCR from a scanned page',
  faceRegion: 'face region',
  box: (b) => `at x ${b.x} y ${b.y} (${b.w}×${b.h} px)`,
  step: (step) => step,
  facets: {
    all: 'all items',
    undecided: 'undecided items',
    possible: 'evidence: possible',
    namesake: 'evidence: namesake',
    confirmed: 'evidence: confirmed',
  },
  facetTitle: '── filter (j/k or 0-9, Enter to apply, Esc to cancel)',
  current: ' (current)',
  keepBecause: 'keep, because: ',
  filterMatches: (n) => `  ${n} item${n === 1 ? '' : 's'} · Enter keeps the filter, Esc restores`,
  quitAsk: (n) =>
    `Save ${n} unsaved decision change(s) before quitting? y = save and quit, n = quit without saving, Esc = stay`,
};

const da: ReviewLabels = {
  lang: 'da',
  roots: 'søgt i',
  unsaved: '[ikke gemt]',
  evidence: { confirmed: 'bekræftet', possible: 'mulig', namesake: 'navnefælle' },
  decided: 'afgjort',
  undecided: 'uafgjort',
  errors: 'fejl',
  help: '? hjælp',
  pressHelp: 'tryk ? for taster',
  keysTitle: 'taster',
  keys: [
    ['↑/↓ j/k', 'flyt'],
    ['PgUp/PgDn g/G', 'en side op/ned, første/sidste element'],
    ['Enter/Tab', 'gå til detaljerne (j/k ruller) og tilbage'],
    ['i', 'medtag: personens data, rapporteres og slettes'],
    ['r', 'behold: personens data, opbevares med en begrundelse (rapporteres, slettes ikke)'],
    ['e', 'udelad: ikke personens data (hverken rapport eller sletning)'],
    ['n', 'navnefælle: en anden med samme navn'],
    ['mellemrum', 'skift mellem medtag og behold'],
    ['x', 'intet (betød før behold): brug r eller e'],
    ['u', 'fortryd seneste afgørelse'],
    ['o', 'åbn elementet i $PAGER (filen ved linjen, eller e-mailen)'],
    ['v', 'åbn elementet i $EDITOR, skrivebeskyttet hvor det kan lade sig gøre'],
    ['a', 'medtag alle bekræftede elementer på listen'],
    ['/', 'filtrér på tekst (Enter beholder, Esc fortryder)'],
    ['f', 'filtrér på niveau, detektor eller uafgjorte'],
    ['s', 'gem afgørelserne ved siden af søgningen (.review.json)'],
    ['p', 'lav sletteplanen og godkend den med initialerne'],
    ['?', 'denne hjælp (Esc eller ? lukker)'],
    ['q', 'afslut (spørger om ikke-gemte afgørelser skal gemmes)'],
  ],
  detail: 'detaljer',
  detailFocus: 'Tab for at vælge',
  detailBack: 'j/k ruller, Tab tilbage',
  decision: 'afgørelse: ',
  undecidedValue: 'uafgjort',
  mine: (n) => `fund om personen (${n})`,
  others: 'andre personers oplysninger i elementet',
  scanned: 'søgt',
  noItems: 'ingen elementer passer til filtrene (/ og f ændrer dem)',
  planTitle: (n) => `sletteplan: ${n} handling${n === 1 ? '' : 'er'}`,
  initials: 'Skriv personens initialer for at godkende og forsegle planen (Esc fortryder): ',
  source: { folder: 'mappe', mailbox: 'postkasse', archive: 'arkiv' },
  decisions: { include: 'medtag', exclude: 'udelad', namesake: 'navnefælle', keep: 'behold' },
  decidedBy: (by, at) => ` af ${by} den ${at}`,
  othersUnlisted: (n) => `${n} (søg med --all for at se dem)`,
  elsewhere: 'andre personers oplysninger andre steder i e-mailen (fjernes med den)',
  scannedAt: (at, id) => `den ${at} · element ${id}`,
  fingerprint: { modified: 'ændret', offset: 'position', none: 'intet fingeraftryk' },
  ocr: 'læst med OCR fra en scannet side',
  faceRegion: 'ansigtsområde',
  box: (b) => `ved x ${b.x} y ${b.y} (${b.w}×${b.h} pixel)`,
  step: (step) =>
    step
      .replace(/^message #(\d+)$/, 'e-mail nr. $1')
      .replace(/^message (<.*>)$/, 'e-mail $1')
      .replace(/^page (\d+)$/, 'side $1'),
  facets: {
    all: 'alle elementer',
    undecided: 'uafgjorte elementer',
    possible: 'niveau: mulig',
    namesake: 'niveau: navnefælle',
    confirmed: 'niveau: bekræftet',
  },
  facetTitle: '── filter (j/k eller 0-9, Enter vælger, Esc fortryder)',
  current: ' (valgt)',
  keepBecause: 'behold, fordi: ',
  filterMatches: (n) => `  ${n} element${n === 1 ? '' : 'er'} · Enter beholder filtret, Esc fortryder`,
  quitAsk: (n) =>
    `Gem ${n} ikke-gemte ændring(er) før du afslutter? y = gem og afslut, n = afslut uden at gemme, Esc = bliv`,
};

let current: ReviewLabels = en;

/** `--lang` when given, else Danish when the locale (LC_ALL, LC_MESSAGES, LANG) is Danish. */
export function reviewLangFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ReviewLang {
  if (flag === 'da' || flag === 'en') return flag;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^da(_|$|\.)/i.test(locale) ? 'da' : 'en';
}

export function setReviewLang(lang: ReviewLang): void {
  current = lang === 'da' ? da : en;
}

/** The labels of the language set for this run (English unless setReviewLang said otherwise). */
export function labels(): ReviewLabels {
  return current;
}
