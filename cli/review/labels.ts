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
  /** The status line's messages and the plan dialog's text. */
  msg: ReviewMessages;
}

/** Every status message, notice and plan dialog line, one entry each. */
export interface ReviewMessages {
  restored: (n: number) => string;
  orphans: (n: number) => string;
  readAsKeep: (n: number) => string;
  nothingToChange: (label: string) => string;
  noItem: string;
  nothingToUndo: string;
  undid: (label: string) => string;
  /** An item included that a plan deletes whole. */
  whole: string;
  includeConfirmed: (n: number, whole: number) => string;
  textFilter: (text: string, shown: string) => string;
  textFilterOff: string;
  facetFilter: (facet: string, shown: string) => string;
  items: (n: number) => string;
  saving: string;
  saved: (n: number, path: string) => string;
  failed: (message: string) => string;
  building: string;
  sealing: string;
  planBuilt: string;
  planSealed: (path: string, saved: boolean) => string;
  planNotApproved: string;
  wrongInitials: string;
  notKept: string;
  keepHint: string;
  xNothing: string;
  openUnavailable: string;
  planUnavailable: string;
  imapRefused: string;
  inside: (step: string, file: string) => string;
  cannotStart: (cmd: string, why: string, variable: string) => string;
  ended: (cmd: string, status: number | null) => string;
  moreLines: (n: number) => string;
  decisionSummary: (n: Record<'include' | 'exclude' | 'namesake' | 'keep' | 'undecided', number>) => string;
  nothingToErase: string;
  deletedWhole: (n: number) => string;
  writtenTo: (path: string) => string;
  actionKind: (kind: string) => string;
  wholeKind: string;
  attachmentOnly: string;
  attachmentRedacted: (n: number) => string;
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
  msg: {
    restored: (n) => `restored ${n} decision${n === 1 ? '' : 's'}`,
    orphans: (n) => `${n} for items not in this scan (kept)`,
    readAsKeep: (n) => `${n} "exclude" of an older review file read as keep (x meant keep then)`,
    nothingToChange: (label) => `${label}: nothing to change`,
    noItem: 'no item selected',
    nothingToUndo: 'nothing to undo',
    undid: (label) => `undid: ${label}`,
    whole: 'an erasure plan deletes this file whole (dsr cannot edit it; r keeps it instead)',
    includeConfirmed: (n, whole) =>
      `include ${n} confirmed item${n === 1 ? '' : 's'} in view${
        whole
          ? `; ${whole} of them ${whole === 1 ? 'is a document' : 'are documents'} an erasure plan deletes whole (dsr cannot edit them)`
          : ''
      }`,
    textFilter: (text, shown) => `filter "${text}": ${shown}`,
    textFilterOff: 'text filter off',
    facetFilter: (facet, shown) => `filter ${facet}: ${shown}`,
    items: (n) => `${n} item${n === 1 ? '' : 's'}`,
    saving: 'saving decisions…',
    saved: (n, path) => `saved ${n} decisions to ${path}`,
    failed: (message) => `failed: ${message}`,
    building: 'building the plan…',
    sealing: 'sealing the plan…',
    planBuilt: 'plan built: review it, then type the initials',
    planSealed: (path, saved) => `plan approved and sealed: ${path}${saved ? ' (decisions saved)' : ''}`,
    planNotApproved: 'plan not approved; nothing written',
    wrongInitials: "those are not the subject's initials; try again",
    notKept: 'not kept: no decision changed',
    keepHint: '  Enter keeps it (never erased), Esc cancels',
    xNothing: "x decides nothing now: e = not the subject's data, r = keep it (with the reason)",
    openUnavailable: 'opening items is not available here',
    planUnavailable: 'plan building is not available here',
    imapRefused: 'an IMAP message opens in a mail client, not here',
    inside: (step, file) => `${step} is inside ${file}: open that file`,
    cannotStart: (cmd, why, variable) => `could not start ${cmd} (${why}); set ${variable}`,
    ended: (cmd, status) => `${cmd} ended${status ? ` with exit ${status}` : ''}`,
    moreLines: (n) => `… ${n} more lines`,
    decisionSummary: (n) =>
      `decisions: include ${n.include} · exclude ${n.exclude} · namesake ${n.namesake} · keep ${n.keep} · confirmed undecided ${n.undecided} (planned)`,
    nothingToErase: 'nothing to erase: no confirmed or included items',
    deletedWhole: (n) =>
      `WARNING: ${n} file${n === 1 ? '' : 's'} will be DELETED WHOLE: dsr cannot edit ${n === 1 ? 'it' : 'them'} (a document or PDF) and a reviewer included ${n === 1 ? 'it' : 'them'}; Esc, then e or r on any that must stay`,
    writtenTo: (path) => `will be written to ${path}`,
    actionKind: (kind) => kind,
    wholeKind: 'delete-file (whole)',
    attachmentOnly: ' — the attachment only: the message and its other parts are kept',
    attachmentRedacted: (n) =>
      ` — ${n} value(s) in the attachment redacted: the message and its other parts are kept`,
  },
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
  msg: {
    restored: (n) => `hentede ${n} ${n === 1 ? 'afgørelse' : 'afgørelser'}`,
    orphans: (n) => `${n} for elementer, der ikke er i denne søgning (beholdt)`,
    readAsKeep: (n) => `${n} "udelad" fra en ældre afgørelsesfil læst som behold (x betød dengang behold)`,
    nothingToChange: (label) => `${label}: intet at ændre`,
    noItem: 'intet element valgt',
    nothingToUndo: 'intet at fortryde',
    undid: (label) => `fortrudt: ${label}`,
    whole: 'en sletteplan sletter hele denne fil (dsr kan ikke rette i den; r beholder den i stedet)',
    includeConfirmed: (n, whole) =>
      `medtag ${n} ${n === 1 ? 'bekræftet element' : 'bekræftede elementer'} på listen${
        whole
          ? `; ${whole} af dem er ${whole === 1 ? 'et dokument' : 'dokumenter'}, som en sletteplan sletter helt (dsr kan ikke rette i dem)`
          : ''
      }`,
    textFilter: (text, shown) => `filter "${text}": ${shown}`,
    textFilterOff: 'tekstfilter slået fra',
    facetFilter: (facet, shown) => `filter ${facet}: ${shown}`,
    items: (n) => `${n} element${n === 1 ? '' : 'er'}`,
    saving: 'gemmer afgørelserne…',
    saved: (n, path) => `gemte ${n} ${n === 1 ? 'afgørelse' : 'afgørelser'} i ${path}`,
    failed: (message) => `mislykkedes: ${message}`,
    building: 'laver sletteplanen…',
    sealing: 'forsegler planen…',
    planBuilt: 'planen er lavet: gennemgå den, og skriv så initialerne',
    planSealed: (path, saved) =>
      `planen er godkendt og forseglet: ${path}${saved ? ' (afgørelserne er gemt)' : ''}`,
    planNotApproved: 'planen blev ikke godkendt; intet skrevet',
    wrongInitials: 'det er ikke personens initialer; prøv igen',
    notKept: 'ikke beholdt: ingen afgørelse ændret',
    keepHint: '  Enter beholder (slettes aldrig), Esc fortryder',
    xNothing: 'x afgør ikke længere noget: e = ikke personens data, r = behold (med begrundelse)',
    openUnavailable: 'elementer kan ikke åbnes her',
    planUnavailable: 'sletteplaner kan ikke laves her',
    imapRefused: 'en IMAP-e-mail åbnes i et mailprogram, ikke her',
    inside: (step, file) => `${step} ligger i ${file}: åbn den fil`,
    cannotStart: (cmd, why, variable) => `kunne ikke starte ${cmd} (${why}); sæt ${variable}`,
    ended: (cmd, status) => `${cmd} sluttede${status ? ` med kode ${status}` : ''}`,
    moreLines: (n) => `… ${n} linjer mere`,
    decisionSummary: (n) =>
      `afgørelser: medtag ${n.include} · udelad ${n.exclude} · navnefælle ${n.namesake} · behold ${n.keep} · bekræftede uafgjorte ${n.undecided} (kommer med i planen)`,
    nothingToErase: 'intet at slette: ingen bekræftede eller medtagne elementer',
    deletedWhole: (n) =>
      `ADVARSEL: ${n} ${n === 1 ? 'fil bliver SLETTET HELT' : 'filer bliver SLETTET HELT'}: dsr kan ikke rette i ${n === 1 ? 'den' : 'dem'} (et dokument eller en PDF), og en korrekturlæser medtog ${n === 1 ? 'den' : 'dem'}; Esc, og så e eller r på dem, der skal blive`,
    writtenTo: (path) => `skrives til ${path}`,
    actionKind: (kind) => DA_ACTIONS[kind] ?? kind,
    wholeKind: 'slet hele filen',
    attachmentOnly: ' — kun den vedhæftede fil: e-mailen og dens andre dele beholdes',
    attachmentRedacted: (n) =>
      ` — ${n} værdi(er) i den vedhæftede fil overstreges: e-mailen og dens andre dele beholdes`,
  },
};

/** The plan's action kinds said in Danish (the plan file keeps its own names). */
const DA_ACTIONS: Record<string, string> = {
  'delete-file': 'slet filen',
  'remove-mbox-message': 'fjern e-mail fra mbox',
  'delete-maildir-message': 'slet e-mail i Maildir',
  'expunge-imap-message': 'slet e-mail på IMAP',
  'redact-text': 'overstreg i tekst',
  'remove-face-tags': 'fjern ansigtsmarkeringer',
  'redact-office': 'overstreg i dokument',
  'edit-archive': 'ret i arkiv',
  'remove-attachment': 'fjern vedhæftet fil',
  'redact-attachment': 'overstreg i vedhæftet fil',
  manual: 'manuelt',
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
